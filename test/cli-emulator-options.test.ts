/**
 * `backdrop emulator` as a child process: any non-empty API key unless --api-key is given (an empty or
 * missing one → 401 InvalidApiKey as recorded), the per-key limits --max-qps / --max-running / --max-queries,
 * and --partial-rate.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliUnavailableReason, examplesDir, runCli, startCliEmulator, type CliEmulator } from './fixtures/cli/cli-harness.js';

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`skipping backdrop emulator option tests: ${skipReason}`);

let emulator: CliEmulator | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const get = async (baseUrl: string, pathname: string, key: string | null): Promise<{ status: number; body: Record<string, unknown> }> => {
  const reply = await fetch(baseUrl + pathname, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
};
/** Serves the bundled cup cut-out over HTTP: the emulator downloads http inputs like the service. */
let inputServer: http.Server;
let cupUrl = '';
beforeAll(async () => {
  const cup = readFileSync(path.join(examplesDir, 'cutouts', 'cup.png'));
  inputServer = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(cup));
  await new Promise<void>((resolve) => inputServer.listen(0, '127.0.0.1', resolve));
  cupUrl = `http://127.0.0.1:${(inputServer.address() as AddressInfo).port}/cup.png`;
});
afterAll(() => new Promise<void>((resolve) => inputServer.close(() => resolve())));

const submitTask = async (baseUrl: string, key: string, n = 1): Promise<string> => {
  const reply = await fetch(`${baseUrl}/services/aigc/background-generation/generation/`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-dashscope-async': 'enable' },
    body: JSON.stringify({ model: 'wanx-background-generation-v2', input: { base_image_url: cupUrl, ref_prompt: 'on a table' }, parameters: { n } }),
  });
  const body = (await reply.json()) as { output: { task_id: string } };
  expect(reply.status, JSON.stringify(body)).toBe(200);
  return body.output.task_id;
};
type TaskOutput = { task_status: string; results?: Record<string, string>[]; task_metrics?: Record<string, number> };
const taskOutput = async (baseUrl: string, key: string, id: string): Promise<TaskOutput> => ((await get(baseUrl, `/tasks/${id}`, key)).body as { output: TaskOutput }).output;

const submitEmpty = async (baseUrl: string, key: string): Promise<number> =>
  (
    await fetch(`${baseUrl}/services/aigc/background-generation/generation/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-dashscope-async': 'enable' },
      body: '{}',
    })
  ).status;

describe.skipIf(skipReason !== undefined)('backdrop emulator options', () => {
  it('accepts any non-empty key by default (LocalStack convention); empty or missing → 401 InvalidApiKey', async () => {
    emulator = await startCliEmulator();
    await emulator.process.waitFor(/any non-empty API key accepted/);
    for (const key of ['sk-my-real-looking-key', 'emulator']) expect((await get(emulator.baseUrl, '/tasks/none', key)).status).toBe(200);
    for (const key of [null, '']) {
      const reply = await get(emulator.baseUrl, '/tasks/none', key);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    }
  });

  it('--max-qps, --max-queries and --max-running raise the per-key limits', async () => {
    emulator = await startCliEmulator(['--max-qps', '4', '--max-queries', '25', '--max-running', '2', '--task-ms', '4000']);
    const base = emulator.baseUrl;
    const submits = [];
    for (let i = 0; i < 5; i++) submits.push(await submitEmpty(base, 'qps-key'));
    expect(submits).toEqual([400, 400, 400, 400, 429]); // every call counts; the fifth in the second is refused
    const queries = [];
    for (let i = 0; i < 26; i++) queries.push((await get(base, '/tasks/none', 'query-key')).status);
    expect(queries.filter((s) => s === 200)).toHaveLength(25);
    expect(queries[25]).toBe(429);
    // Two tasks of one key run at once.
    const a = await submitTask(base, 'running-key');
    const b = await submitTask(base, 'running-key');
    const deadline = Date.now() + 3000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = [(await taskOutput(base, 'running-key', a)).task_status, (await taskOutput(base, 'running-key', b)).task_status];
      if (statuses.every((s) => s === 'RUNNING')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(statuses).toEqual(['RUNNING', 'RUNNING']);
  });

  it('--partial-rate 1: a task of n = 2 SUCCEEDS with one image and one {code, message} entry', async () => {
    emulator = await startCliEmulator(['--partial-rate', '1', '--task-ms', '50', '--seed', '2']);
    const id = await submitTask(emulator.baseUrl, 'partial-key', 2);
    let output: TaskOutput = { task_status: 'PENDING' };
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && !['SUCCEEDED', 'FAILED'].includes(output.task_status);) {
      await new Promise((r) => setTimeout(r, 50));
      output = await taskOutput(emulator.baseUrl, 'partial-key', id);
    }
    expect(output.task_status).toBe('SUCCEEDED');
    expect(output.task_metrics).toEqual({ TOTAL: 2, SUCCEEDED: 1, FAILED: 1 });
    expect(output.results?.filter((r) => !('url' in r))).toEqual([{ code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' }]);
  });

  it('backdrop generate on a partial result does not fail the parse: the image made is saved at its own position, the missing one noted', async () => {
    emulator = await startCliEmulator(['--partial-rate', '1', '--task-ms', '50', '--seed', '2']);
    const out = await mkdtemp(path.join(os.tmpdir(), 'backdrop-partial-generate-'));
    try {
      const r = await runCli([
        'generate',
        '--base',
        path.join(examplesDir, 'cutouts', 'cup.png'),
        '--prompt',
        'on a table',
        '-n',
        '2',
        '--out',
        out,
        '--base-url',
        emulator.baseUrl,
        '--api-key',
        'sk-partial',
      ]);
      expect(r.stderr).not.toMatch(/UnexpectedResponse|\n\s+at /);
      const record = JSON.parse(await readFile(path.join(out, 'task.json'), 'utf8'));
      const results = record.response.output.results as Record<string, string>[];
      const made = results.findIndex((e) => 'url' in e);
      expect(results.filter((e) => 'url' in e)).toHaveLength(1);
      expect((await readdir(out)).filter((n) => n.startsWith('result-'))).toEqual([expect.stringMatching(new RegExp(`^result-${made}\\.\\w+$`))]);
      expect(record.notes.join(' ')).toMatch(/1 of 2 images failed on the service/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('rejects --max-qps 0 with exit 2', async () => {
    const r = await runCli(['emulator', '--max-qps', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[INVALID_OPTION\] --max-qps/);
  });
});
