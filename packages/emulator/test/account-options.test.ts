/**
 * Per-key limits as options (`maxQps`/`submitQps`, `maxRunning`, `maxQueries`/`queryQps`), every submit call
 * counted against the submit rate (refused ones too), any non-empty key accepted unless `apiKeys` is given,
 * partial results in the task reply, and the list's `api_key_id` filter.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintApiKey } from '../src/index.js';
import { MODEL, call, query, submit, waitForStatus } from './helpers/dashscope-http.js';
import { emulatorPerTest, serveSubjectForFile } from './helpers/suite-setup.js';

const subjectUrl = serveSubjectForFile(48, 32);
const start = emulatorPerTest();
const body = (n = 1) => ({ model: MODEL, input: { base_image_url: subjectUrl(), ref_prompt: 'a table' }, parameters: { n } });

describe('submit rate counts every call', () => {
  it('refused (429) submits take their place in the window: a client that keeps calling stays refused', async () => {
    // Bodies the emulator refuses with 400 after the rate check: fast calls that count, no task, no download.
    const emulator = await start();
    const status = async (): Promise<number> => (await submit(emulator, {})).status;
    expect([await status(), await status()]).toEqual([400, 400]); // both counted and admitted past the rate check
    emulator.advanceClock(500);
    // Two more calls within the same second of those: refused.
    expect([await status(), await status()]).toEqual([429, 429]);
    // 1.05 s after the admitted calls, 0.55 s after the refused ones: those still fill the window.
    emulator.advanceClock(550);
    const still = await submit(emulator, {});
    expect(still.status).toBe(429);
    expect(still.body.code).toBe('Throttling.RateQuota');
    // Once the caller pauses a whole second, it gets through.
    emulator.advanceClock(1001);
    expect(await status()).toBe(400);
  });
});

describe('limits per key as options', () => {
  it('maxQps: 5 admits five submit calls in a second, the sixth is 429; maxQueries: 30 admits thirty queries', async () => {
    const emulator = await start({ maxQps: 5, maxQueries: 30 });
    // Sent at once, so that all of them land inside one second however busy the machine is.
    const count = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
    const submits = await Promise.all(Array.from({ length: 6 }, async () => (await submit(emulator, {})).status));
    expect(count(submits)).toEqual({ 400: 5, 429: 1 });
    const queries = await Promise.all(Array.from({ length: 31 }, async () => (await query(emulator, 'no-such-task')).status));
    expect(count(queries)).toEqual({ 200: 30, 429: 1 });
  });

  it('maxQps and submitQps are one limit: different values are refused', async () => {
    await expect(start({ maxQps: 3, submitQps: 4 })).rejects.toThrow(/submitQps and maxQps are the same limit/);
    await expect(start({ maxQueries: 3, queryQps: 4 })).rejects.toThrow(/queryQps and maxQueries are the same limit/);
  });
});

describe('API keys', () => {
  it('any non-empty key by default; an empty or missing key → 401 InvalidApiKey as recorded', async () => {
    const emulator = await start();
    for (const key of ['sk-any-user-key', 'emulator', 'x']) expect((await query(emulator, 'some-task', key)).status).toBe(200);
    for (const key of [null, '', '   ']) {
      const reply = await call(emulator, 'GET', '/tasks/some-task', { key });
      expect(reply.status).toBe(401);
      expect(Object.keys(reply.body).sort()).toEqual(['code', 'message', 'request_id']);
      expect(reply.body).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    }
  });
});

describe('partial results in the task reply', () => {
  it('SUCCEEDED, results with code/message at the missing positions, task_metrics and usage count only the images made', async () => {
    const emulator = await start({
      taskMs: 10,
      pendingMs: 0,
      seed: 3,
      faults: { partialRate: 1, partialFailureCode: 'InternalError.Timeout', partialFailureMessage: 'timed out' },
    });
    const id = (await submit(emulator, body(3))).body.output.task_id;
    const done = (await waitForStatus(emulator, id)).body;
    expect(done.output.task_status).toBe('SUCCEEDED');
    const results = done.output.results as Record<string, string>[];
    expect(results).toHaveLength(3);
    const missing = results.filter((r) => !('url' in r));
    expect(missing.length).toBeGreaterThanOrEqual(1);
    expect(missing.length).toBeLessThanOrEqual(2);
    for (const r of missing) expect(r).toEqual({ code: 'InternalError.Timeout', message: 'timed out' });
    expect(done.output.task_metrics).toEqual({ TOTAL: 3, SUCCEEDED: 3 - missing.length, FAILED: missing.length });
    expect(done.usage).toEqual({ image_count: 3 - missing.length });
  });
});

describe('task list: api_key_id', () => {
  it('entries carry the key fingerprint as api_key_id, and the list filters by it', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0 });
    expect((await submit(emulator, body())).status).toBe(200);
    const mine = fingerprintApiKey('test-key');
    const listed = await call(emulator, 'GET', `/tasks?api_key_id=${mine}`);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0].api_key_id).toBe(mine);
    expect((await call(emulator, 'GET', '/tasks?api_key_id=key_00000000')).body.data).toHaveLength(0);
  });
});
