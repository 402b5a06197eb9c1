/**
 * The library (`enqueue`, `startWorker`, `queueStatus`) in this process against a real Redis and the
 * emulator: a submit left unsettled by a dead owner is reconciled through the task list (one unclaimed
 * task adopted; several → the item fails naming them, nothing resubmitted), a refused key is retired for
 * every worker, and 429s from the service pause the key without losing or duplicating anything.
 */
import path from 'node:path';
import { DashScope, apiKeyFingerprint } from '@backdrop/api';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { buildRequest, itemSpecHash, type BatchItem } from '@backdrop/pipeline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { enqueue, queueStatus, startWorker, type ClusterWorker, type WorkerEvent } from '../src/index.js';
import { itemJobId } from '../src/job-data.js';
import { queueNames } from '../src/queue-names.js';
import { cliUnavailableReason, resultLines, runCli, tmpDir, waitUntilFinished, writeCatalogue } from './helpers/cluster-fixtures.js';
import { RedisServer, redisUnavailableReason } from './helpers/redis-server.js';

const skipReason = redisUnavailableReason() ?? cliUnavailableReason();
if (skipReason) console.log(`cluster recovery tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('cluster: reconciliation, refused keys, 429s', () => {
  let redis: RedisServer;
  let emulator: Emulator | undefined;
  let worker: ClusterWorker | undefined;
  let queueN = 0;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await emulator?.close();
    emulator = undefined;
  });

  /** A catalogue of `count` items with absolute paths, as the manifest reader makes them. */
  async function items(count: number, prefix: string): Promise<{ list: BatchItem[]; out: string }> {
    const dir = tmpDir(prefix);
    await writeCatalogue(dir, count);
    const list = Array.from({ length: count }, (_, i) => ({ id: `sku-${i}`, base: path.join(dir, 'cutouts', `p${i}.png`), prompt: `product ${i} on a table` }));
    return { list, out: path.join(dir, 'out') };
  }

  function work(queue: string, apiKeys: string[], events: WorkerEvent[] = []): Promise<ClusterWorker> {
    return startWorker({ redis: redis.url, queue, apiKeys, baseUrl: emulator!.baseUrl, lockDurationMs: 5000, onEvent: (e) => events.push(e) });
  }

  /** Submits `item` directly (as a dead owner would have), returning the task id: a task no record claims. */
  async function orphanTask(item: BatchItem): Promise<string> {
    const client = new DashScope({ apiKey: 'k1', baseUrl: emulator!.baseUrl });
    const up = await client.files.upload(item.base);
    return (await client.backgroundGeneration.submit(buildRequest(item, { base: up.url }))).taskId;
  }

  /** Records in Redis a submit of `item` on k1 whose outcome its (dead) owner never learned. */
  async function pendingSubmit(queue: string, item: BatchItem, startedAt: number): Promise<void> {
    const r = new Redis(redis.url);
    const key = queueNames(queue).key(`items:${itemJobId(item, itemSpecHash(item))}`);
    await r.hset(key, 'submit', JSON.stringify({ lane: apiKeyFingerprint('k1'), attempt: 1, startedAt }), 'attempts', '1');
    r.disconnect();
  }

  it('adopts the one unclaimed task of a submit its dead owner recorded but never settled', async () => {
    emulator = await startEmulator({ apiKeys: ['k1'], taskMs: [200, 300] });
    const queue = `adopt-${queueN++}`;
    const { list, out } = await items(1, 'cluster-adopt');
    const startedAt = Date.now();
    const taskId = await orphanTask(list[0]);
    await enqueue(list, { redis: redis.url, out, queue });
    await pendingSubmit(queue, list[0], startedAt);
    const events: WorkerEvent[] = [];
    worker = await work(queue, ['k1'], events);
    await waitUntilFinished(redis.url, 60_000, queue);
    expect(emulator.stats().total.tasksCreated).toBe(1);
    expect(resultLines(out)).toEqual([expect.objectContaining({ id: 'sku-0', status: 'succeeded', taskId })]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'adopted', id: 'sku-0', taskId }));
  });

  it('several unclaimed tasks in the window: the item fails naming them, and nothing is submitted again', async () => {
    emulator = await startEmulator({ apiKeys: ['k1'], taskMs: [200, 300] });
    const queue = `ambiguous-${queueN++}`;
    const { list, out } = await items(1, 'cluster-ambiguous');
    const startedAt = Date.now();
    const a = await orphanTask(list[0]);
    const b = await orphanTask(list[0]);
    await enqueue(list, { redis: redis.url, out, queue });
    await pendingSubmit(queue, list[0], startedAt);
    worker = await work(queue, ['k1']);
    const status = await waitUntilFinished(redis.url, 60_000, queue);
    expect(status).toMatchObject({ total: 1, done: 0, failed: 1 });
    expect(status.failures[0].code).toBe('SubmitAmbiguous');
    expect(status.failures[0].message).toContain(a);
    expect(status.failures[0].message).toContain(b);
    expect(emulator.stats().total.tasksCreated).toBe(2);
    expect(resultLines(out)).toEqual([expect.objectContaining({ id: 'sku-0', status: 'failed' })]);
    const wait = await runCli(['queue', '--redis', redis.url, '--queue', queue, '--wait', '--json']);
    expect(wait.code).toBe(1);
    expect(JSON.parse(wait.stdout)).toMatchObject({ total: 1, failed: 1, finished: true, failures: [expect.objectContaining({ code: 'SubmitAmbiguous' })] });
    expect(wait.stderr).toMatch(/^backdrop: \[QUEUE_ITEMS_FAILED\]/m);
  });

  it('a key the service refuses (401) is retired for every worker; the items go to the other key', async () => {
    emulator = await startEmulator({ apiKeys: ['k1'], taskMs: [100, 200] });
    const queue = `retire-${queueN++}`;
    const { list, out } = await items(4, 'cluster-retire');
    await enqueue(list, { redis: redis.url, out, queue });
    worker = await work(queue, ['k1', 'revoked-key']);
    const status = await waitUntilFinished(redis.url, 60_000, queue);
    expect(status).toMatchObject({ total: 4, done: 4, failed: 0 });
    expect(status.keys[apiKeyFingerprint('revoked-key')].retired).toMatch(/InvalidApiKey|401/);
    expect(status.keys[apiKeyFingerprint('k1')].done).toBe(4);
    expect(emulator.stats().total.tasksCreated).toBe(4);
  });

  it('429s from the service pause the key; every item still done exactly once', async () => {
    // The service allows 1 submit per second, the workers assume 2: some submits meet 429 Throttling.RateQuota.
    emulator = await startEmulator({ apiKeys: ['k1'], submitQps: 1, taskMs: [50, 80] });
    const queue = `throttled-${queueN++}`;
    const { list, out } = await items(6, 'cluster-429');
    await enqueue(list, { redis: redis.url, out, queue });
    worker = await work(queue, ['k1']);
    const status = await waitUntilFinished(redis.url, 90_000, queue);
    expect(status).toMatchObject({ total: 6, done: 6, failed: 0 });
    const stats = emulator.stats();
    expect(stats.total.tasksCreated).toBe(6);
    expect(Object.values(stats.total.throttled).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(new Set(resultLines(out).map((l) => l.id)).size).toBe(6);
  });

  it('queueStatus of an empty queue: nothing to do, not finished', async () => {
    expect(await queueStatus({ redis: redis.url, queue: 'never-used' })).toMatchObject({ total: 0, finished: false, etaSeconds: 0 });
  });
});
