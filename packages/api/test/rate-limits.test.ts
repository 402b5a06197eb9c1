/** Account limits against the emulator: 429 RateQuota vs AllocationQuota, and the shared ≤ 20/s query limiter. */
import { emulatorsClosedAfterEach } from './helpers/emulators.js';
import { describe, expect, it } from 'vitest';
import { apiKeyFingerprint } from '../src/api-key.js';
import { DashScope } from '../src/client.js';
import { AllocationQuotaError, RateQuotaError } from '../src/errors.js';
import { QueryLimiter } from '../src/query-limiter.js';
import { cutoutPng } from './helpers/png.js';

const emulator = emulatorsClosedAfterEach();
let n = 0;
const newKey = () => `sk-limits-${process.pid}-${++n}`;

async function request(c: DashScope) {
  return { baseImageUrl: (await c.files.upload(cutoutPng())).url, refPrompt: 'by the sea' };
}

describe('429s are told apart', () => {
  it('over the submit rate: RateQuotaError (no task created); with retries the submit gets through once', async () => {
    const e = await emulator({ taskMs: 100, submitQps: 1 });
    const apiKey = newKey();
    const strict = new DashScope({ apiKey, baseUrl: e.baseUrl, maxRetries: 0 });
    const req = await request(strict);
    await strict.backgroundGeneration.submit(req);
    const err = await strict.backgroundGeneration.submit(req).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(RateQuotaError);
    expect(err).not.toBeInstanceOf(AllocationQuotaError);
    expect(err).toMatchObject({ code: 'Throttling.RateQuota', status: 429, mayHaveCreatedTask: false, retryable: true });
    expect(e.stats().keys[apiKeyFingerprint(apiKey)].tasksCreated).toBe(1);

    const patient = new DashScope({ apiKey: newKey(), baseUrl: e.baseUrl, maxRetries: 5, backoff: { baseDelayMs: 300, maxDelayMs: 1200 } });
    const req2 = await request(patient);
    const [a, b] = await Promise.all([patient.backgroundGeneration.submit(req2), patient.backgroundGeneration.submit(req2)]);
    expect(a.taskId).not.toBe(b.taskId);
    const stats = e.stats().keys[patient.keyFingerprint];
    expect(stats.tasksCreated).toBe(2);
    expect(stats.throttled['Throttling.RateQuota']).toBeGreaterThanOrEqual(1);
  });

  it('over the running-task limit (reject policy): AllocationQuotaError, no task created', async () => {
    const e = await emulator({ taskMs: 2000, concurrencyPolicy: 'reject' });
    const apiKey = newKey();
    const c = new DashScope({ apiKey, baseUrl: e.baseUrl, maxRetries: 0 });
    const req = await request(c);
    await c.backgroundGeneration.submit(req);
    await new Promise((r) => setTimeout(r, 600)); // past the 2/s submit window
    const err = await c.backgroundGeneration.submit(req).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AllocationQuotaError);
    expect(err).not.toBeInstanceOf(RateQuotaError);
    expect(err).toMatchObject({ code: 'Throttling.AllocationQuota', status: 429, mayHaveCreatedTask: false });
    expect(e.stats().keys[apiKeyFingerprint(apiKey)].tasksCreated).toBe(1);
  });
});

describe('query limiter', () => {
  it('many concurrent waits on one key stay under 20 queries/s and are never throttled', async () => {
    const e = await emulator({ taskMs: 2500, pendingMs: 0 });
    const apiKey = newKey();
    const c = new DashScope({ apiKey, baseUrl: e.baseUrl });
    const submit = await c.backgroundGeneration.submit(await request(c));
    // A second client with the same key shares the limiter.
    const c2 = new DashScope({ apiKey, baseUrl: e.baseUrl });
    const waits = Array.from({ length: 30 }, (_, i) => (i % 2 ? c : c2).tasks.wait(submit.taskId, { pollIntervalMs: 0 }));
    const tasks = await Promise.all(waits);
    expect(tasks.every((t) => t.taskStatus === 'SUCCEEDED')).toBe(true);
    const stats = e.stats().keys[apiKeyFingerprint(apiKey)];
    expect(stats.queries).toBeGreaterThan(30);
    expect(stats.peakQueriesPerSecond).toBeLessThanOrEqual(20);
    expect(stats.peakQueriesPerSecond).toBeGreaterThanOrEqual(15); // the budget is used, not wasted
    expect(stats.throttled['Throttling.RateQuota'] ?? 0).toBe(0);
  });

  it('holds a slot from grant until a window after release, first come first served, and honours abort', async () => {
    const limiter = new QueryLimiter(5, 200);
    const started = Date.now();
    const grants: number[] = [];
    const order: number[] = [];
    // Each "request" takes 50 ms between grant and release.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiter.acquire().then(async (release) => {
          grants.push(Date.now() - started);
          order.push(i);
          await new Promise((r) => setTimeout(r, 50));
          release();
        }),
      ),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(grants.slice(0, 5).every((g) => g < 30)).toBe(true);
    // The 6th waits for the 1st release (≈50 ms) plus the window (200 ms).
    expect(grants[5]).toBeGreaterThanOrEqual(245);
    // Any 200 ms window of request lifetimes [grant, grant + 50] overlaps at most 5 requests.
    for (const t of grants) expect(grants.filter((g) => g + 50 > t - 200 && g <= t).length).toBeLessThanOrEqual(5);
    const held = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    const controller = new AbortController();
    const blocked = limiter.acquire(controller.signal);
    expect(limiter.pending).toBe(1);
    controller.abort(new Error('gone'));
    await expect(blocked).rejects.toThrow('gone');
    expect(limiter.pending).toBe(0);
    held.forEach((release) => release());
  });
});

describe("client limits are the caller's choice", () => {
  it('limits: false leaves pacing to the caller; an injected limiter is the one used', async () => {
    const e = await emulator({ taskMs: 2500, pendingMs: 0, queryQps: 100 });
    const key = newKey();
    const seed = new DashScope({ apiKey: key, baseUrl: e.baseUrl });
    const submitted = await seed.backgroundGeneration.submit(await request(seed));
    const burst = async (c: DashScope): Promise<void> => {
      await Promise.all(Array.from({ length: 40 }, () => c.tasks.get(submitted.taskId)));
    };
    const unpaced = new DashScope({ apiKey: key, baseUrl: e.baseUrl, limits: false });
    await new Promise((r) => setTimeout(r, 1100)); // an empty window first
    await burst(unpaced);
    expect(e.stats().keys[apiKeyFingerprint(key)].peakQueriesPerSecond).toBeGreaterThan(20);

    let grants = 0;
    const counting = new QueryLimiter(40);
    const injected = new DashScope({
      apiKey: key,
      baseUrl: e.baseUrl,
      limits: { queries: { acquire: (signal) => (grants++, counting.acquire(signal)) } },
    });
    await injected.tasks.get(submitted.taskId);
    expect(grants).toBe(1);
  });

  it('readApiKeysFromEnv: one rule for one key and for several', async () => {
    const { readApiKeysFromEnv } = await import('../src/env-keys.js');
    expect(readApiKeysFromEnv({ DASHSCOPE_API_KEY: ' a ', DASHSCOPE_API_KEYS: 'b, c' })).toEqual(['a']);
    expect(readApiKeysFromEnv({ DASHSCOPE_API_KEYS: 'b, c,' })).toEqual(['b']);
    expect(readApiKeysFromEnv({ DASHSCOPE_API_KEY: 'a', DASHSCOPE_API_KEYS: 'b,c' }, { several: true })).toEqual(['b', 'c']);
    expect(readApiKeysFromEnv({ DASHSCOPE_API_KEY: 'a', DASHSCOPE_API_KEYS: ' ' }, { several: true })).toEqual(['a']);
    expect(readApiKeysFromEnv({})).toEqual([]);
    expect(readApiKeysFromEnv({ DASHSCOPE_API_KEYS: 'b, c,,b' }, { several: true })).toEqual(['b', 'c']);
  });
});
