/**
 * The CLI's shared pieces in process: how service options and DASHSCOPE_* variables become a
 * connection (with a real in-process emulator for `--emulator`), the status line on a TTY and off
 * one, flag names in validation messages, and the task report of a recorded real reply.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, parseTask } from '../packages/api/src/index.js';
import { formatTaskReport, summariseTask } from '../packages/cli/src/task-report.js';
import { repoRoot } from './fixtures/cli/cli-harness.js';
import { DEFAULT_DASHSCOPE_BASE_URL } from '../packages/cli/src/service-options.js';
import { connectService, resolveApiKeys } from '../packages/cli/src/service-connection.js';
import { StatusLine } from '../packages/cli/src/status-line.js';
import { flagForField } from '../packages/cli/src/generate-inputs.js';
import { requestFieldsFrom } from '../packages/cli/src/request-fields.js';
import { requestOptionDefinitions } from '../packages/cli/src/request-options.js';

describe('service options → connection', () => {
  it('prefers --api-key, then DASHSCOPE_API_KEY / DASHSCOPE_API_KEYS', () => {
    const env = { DASHSCOPE_API_KEY: 'k-env', DASHSCOPE_API_KEYS: 'k1, k2,,k1' };
    expect(resolveApiKeys({ apiKey: 'k-flag' }, {}, env)).toEqual(['k-flag']);
    expect(resolveApiKeys({}, {}, env)).toEqual(['k-env']);
    expect(resolveApiKeys({}, {}, { DASHSCOPE_API_KEYS: 'k1,k2' })).toEqual(['k1']);
    expect(resolveApiKeys({}, { multipleKeys: true }, env)).toEqual(['k1', 'k2']);
    expect(resolveApiKeys({ apiKey: ['a', 'b', 'a'] }, { multipleKeys: true }, env)).toEqual(['a', 'b']);
  });

  it('a missing key is a user error naming DASHSCOPE_API_KEY and --api-key', () => {
    let caught: unknown;
    try {
      resolveApiKeys({}, {}, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'MISSING_API_KEY', userError: true });
    expect((caught as Error).message).toMatch(/DASHSCOPE_API_KEY.*--api-key/);
  });

  it('several keys for a one-key command is a user error that does not echo the keys', async () => {
    let caught: unknown;
    try {
      resolveApiKeys({ apiKey: ['secret-one', 'secret-two'] }, {}, {});
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'TOO_MANY_API_KEYS', userError: true });
    expect((caught as Error).message).toMatch(/pass --api-key once/);
    expect((caught as Error).message).not.toContain('secret');
    // The same rule with --emulator, before any emulator is started.
    await expect(connectService({ emulator: true, apiKey: ['secret-one', 'secret-two'] }, {}, {})).rejects.toMatchObject({ code: 'TOO_MANY_API_KEYS' });
  });

  it('resolves base URL and workspace from flags, then the environment, then the default', async () => {
    const fromEnv = await connectService(
      {},
      {},
      {
        DASHSCOPE_API_KEY: 'k',
        DASHSCOPE_HTTP_BASE_URL: 'http://127.0.0.1:9/api/v1/',
        DASHSCOPE_WORKSPACE: 'ws-1',
      },
    );
    expect(fromEnv).toMatchObject({ apiKeys: ['k'], baseUrl: 'http://127.0.0.1:9/api/v1', workspace: 'ws-1' });
    const fromFlags = await connectService(
      { baseUrl: 'https://example.test/api/v1', workspace: 'ws-2' },
      {},
      {
        DASHSCOPE_API_KEY: 'k',
        DASHSCOPE_HTTP_BASE_URL: 'http://127.0.0.1:9/api/v1',
      },
    );
    expect(fromFlags).toMatchObject({ baseUrl: 'https://example.test/api/v1', workspace: 'ws-2' });
    const byDefault = await connectService({}, {}, { DASHSCOPE_API_KEY: 'k' });
    expect(byDefault.baseUrl).toBe(DEFAULT_BASE_URL);
    // --help names the default without loading the client: the same URL, written out in service-options.ts.
    expect(DEFAULT_DASHSCOPE_BASE_URL).toBe(DEFAULT_BASE_URL);
    expect(byDefault.emulator).toBeUndefined();
    await expect(connectService({ baseUrl: 'ftp://x' }, {}, { DASHSCOPE_API_KEY: 'k' })).rejects.toMatchObject({
      code: 'INVALID_BASE_URL',
      userError: true,
    });
  });

  it('--emulator starts a real emulator on 127.0.0.1 with key "emulator", ignoring keys in the environment', async () => {
    const connection = await connectService({ emulator: true }, {}, { DASHSCOPE_API_KEY: 'real-key' });
    try {
      expect(connection.apiKeys).toEqual(['emulator']);
      expect(connection.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
      const ok = await fetch(`${connection.baseUrl}/tasks/none`, { headers: { authorization: 'Bearer emulator' } });
      expect(ok.status).toBe(200);
      const refused = await fetch(`${connection.baseUrl}/tasks/none`, { headers: { authorization: 'Bearer real-key' } });
      expect(refused.status).toBe(401);
    } finally {
      await connection.close();
      await connection.close();
    }
    await expect(fetch(`${connection.baseUrl}/tasks/none`)).rejects.toThrow();
  });

  it('--emulator and --base-url together are refused', async () => {
    await expect(connectService({ emulator: true, baseUrl: 'http://127.0.0.1:1/api/v1' }, {}, {})).rejects.toMatchObject({
      code: 'CONFLICTING_OPTIONS',
    });
  });
});

describe('status line', () => {
  function sink(isTTY: boolean): { writes: string[]; stream: { isTTY: boolean; write(c: string): boolean } } {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (c: string) => (writes.push(c), true) } };
  }

  it('off a TTY: one line per status change, none for repeats', () => {
    const { writes, stream } = sink(false);
    const line = new StatusLine(stream, 'task abc');
    line.update('PENDING');
    line.update('PENDING');
    line.update('RUNNING');
    line.done();
    line.update('SUCCEEDED');
    expect(writes).toEqual(['task abc PENDING 0s\n', 'task abc RUNNING 0s\n']);
  });

  it('on a TTY: rewrites one line in place and ends it', () => {
    const { writes, stream } = sink(true);
    const line = new StatusLine(stream, 'task abc');
    line.update('RUNNING');
    line.note('hello');
    line.done();
    line.note('after');
    expect(writes[0]).toBe('\rtask abc RUNNING 0s\x1b[K');
    expect(writes).toContain('hello\n');
    // Ended with a newline, and nothing redrawn after the end.
    expect(writes.slice(-2)).toEqual(['\rtask abc RUNNING 0s\x1b[K\n', 'after\n']);
    expect(writes.join('')).not.toMatch(/[^\n]\ntask abc/);
  });
});

describe('request flags shared by generate and batch', () => {
  it('sets only the fields given, makes a local --ref absolute and keeps a URL', () => {
    expect(requestFieldsFrom({})).toEqual({});
    expect(requestFieldsFrom({ prompt: 'on sand', ref: 'refs/wood.png', n: 2, modelVersion: 'v3' })).toEqual({
      prompt: 'on sand',
      ref: path.resolve('refs/wood.png'),
      n: 2,
      modelVersion: 'v3',
    });
    expect(requestFieldsFrom({ ref: 'OSS://bucket/ref.png' }).ref).toBe('OSS://bucket/ref.png');
    expect(requestFieldsFrom({ ref: 'https://example.test/ref.png' }).ref).toBe('https://example.test/ref.png');
  });

  it('declares every field the mapping reads (flag names are the kebab-case of the fields)', () => {
    const flags = Object.keys(requestOptionDefinitions('Request:'));
    const camel = flags.map((f) => f.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));
    const all = Object.fromEntries(camel.map((k) => [k, k === 'n' || k === 'noiseLevel' || k === 'refPromptWeight' ? 1 : k === 'modelVersion' ? 'v2' : 'x']));
    expect(Object.keys(requestFieldsFrom(all)).sort()).toEqual([...camel].sort());
  });
});

describe('flags named in validation messages', () => {
  it('maps wire and manifest field paths to the flag the user typed', () => {
    expect(flagForField('input.title')).toBe('--title');
    expect(flagForField('input.sub_title')).toBe('--subtitle');
    expect(flagForField('input.ref_prompt')).toBe('--prompt');
    expect(flagForField('input.neg_ref_prompt')).toBe('--negative-prompt');
    expect(flagForField('parameters.ref_prompt_weight')).toBe('--ref-prompt-weight');
    expect(flagForField('parameters.n')).toBe('-n');
    expect(flagForField('input.reference_edge.foreground_edge_prompt')).toBe('--fg-edge-prompt');
    expect(flagForField('input.reference_edge.background_edge[1]')).toBe('--bg-edge');
    expect(flagForField('foreground[1].edge')).toBe('--fg-edge #2');
    expect(flagForField('base')).toBe('--base');
  });
});

describe('task report', () => {
  const recorded = path.resolve(repoRoot, '..', 'shared', 'dashscope-recorded');
  const missing = !existsSync(recorded);
  if (missing) console.warn(`skipping task report tests: ${recorded} is absent`);
  const task = (name: string) => parseTask(JSON.parse(readFileSync(path.join(recorded, name), 'utf8')));

  it.skipIf(missing)('shows times, how long results are kept, result and plain URLs of a real SUCCEEDED reply', () => {
    const text = formatTaskReport(task('get-task-background-generation-success-nosse.response.body.txt'));
    expect(text).toMatch(/^task b2e98d78-c79b-431c-b2d7-c7bcd54465da\n/);
    expect(text).toMatch(/ended\s+2024-03-04 10:09:07\.727 \(10\.4 s after submit\)/);
    expect(text).toMatch(/kept until\s+about 2024-03-05 10:09:07/);
    expect(text).toMatch(/images\s+2 of 2 succeeded/);
    expect(text).toMatch(/result 1\s+https:\/\/\S+100905_1_\S+\.png/);
    expect(text).toMatch(/plain 0\s+https:\/\/\S+100901_0_\S+\.png \(without the title\)/);
  });

  it.skipIf(missing)('explains UNKNOWN, and --json keeps the fields', () => {
    const unknown = task('get-task-unknown-nosse.response.body.txt');
    expect(formatTaskReport(unknown)).toMatch(/status\s+UNKNOWN — no such task or expired after 24 h/);
    expect(summariseTask(unknown)).toMatchObject({ taskId: '1111', status: 'UNKNOWN', results: [], plainResults: [] });
  });
});
