/**
 * The cluster against a real Redis (Debian's redis-server, started per suite) and the emulator: worker
 * PROCESSES (the built CLI) sharing two keys, a worker killed with SIGKILL mid-task, a graceful stop, a
 * Redis restart between enqueue and work, and enqueueing the same manifest twice.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, fingerprintApiKey, type Emulator } from '@backdrop/emulator';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueue, queueStatus } from '../src/index.js';
import {
  cliUnavailableReason,
  peakInSlidingWindow,
  resultLines,
  runCli,
  startWorkerProcess,
  stopProcess,
  tmpDir,
  waitUntilFinished,
  writeCatalogue,
} from './helpers/cluster-fixtures.js';
import { RedisServer, redisUnavailableReason } from './helpers/redis-server.js';

const skipReason = redisUnavailableReason() ?? cliUnavailableReason();
if (skipReason) console.log(`cluster worker tests skipped: ${skipReason}`);

const K1 = fingerprintApiKey('k1');
const K2 = fingerprintApiKey('k2');

describe.skipIf(skipReason !== undefined)('cluster: worker processes sharing two keys', () => {
  let redis: RedisServer;
  let emulator: Emulator;
  const workers: ReturnType<typeof startWorkerProcess>[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start({ persistent: true });
  });

  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => stopProcess(w)));
    await emulator?.close();
    await redis.stop();
  });

  /** Every item done once: its result decodes, one results line, one task at the service. */
  async function expectAllDone(out: string, count: number): Promise<void> {
    const lines = resultLines(out);
    const ids = new Set(lines.map((l) => l.id));
    expect(ids.size).toBe(count);
    expect(lines.every((l) => l.status === 'succeeded')).toBe(true);
    for (let i = 0; i < count; i++) {
      const meta = await sharp(path.join(out, `sku-${i}`, 'result-0.jpg'))
        .metadata()
        .catch(() => sharp(path.join(out, `sku-${i}`, 'result-0.png')).metadata());
      expect(meta.width).toBeGreaterThan(0);
      expect(existsSync(path.join(out, `sku-${i}`, 'task.json'))).toBe(true);
    }
  }

  it('three workers on two keys: every item once, never > 2 submits per sliding second, > 1 running or > 20 queries/s per key', async () => {
    emulator = await startEmulator({ apiKeys: ['k1', 'k2'], taskMs: [200, 400], seed: 3 });
    const dir = tmpDir('cluster-three');
    const { manifest } = await writeCatalogue(dir, 24);
    const out = path.join(dir, 'out');
    const queued = await enqueue(manifest, { redis: redis.url, out });
    expect(queued).toEqual({ items: 24, added: 24, alreadyQueued: 0 });
    for (let i = 0; i < 3; i++) workers.push(startWorkerProcess(redis.url, emulator.baseUrl));
    const status = await waitUntilFinished(redis.url);
    expect(status).toMatchObject({ total: 24, done: 24, failed: 0, waiting: 0, atService: 0 });
    const stats = emulator.stats();
    expect(stats.total.tasksCreated).toBe(24);
    for (const key of [K1, K2]) {
      const k = stats.keys[key];
      expect(k.tasksCreated).toBeGreaterThan(0);
      expect(k.peakSubmitsPerSecond).toBeLessThanOrEqual(2);
      expect(peakInSlidingWindow(stats, key)).toBeLessThanOrEqual(2);
      expect(k.peakRunning).toBeLessThanOrEqual(1);
      expect(k.peakQueriesPerSecond).toBeLessThanOrEqual(20);
      expect(k.throttled).toEqual({});
    }
    // The work was shared: more than one worker submitted.
    const submitters = workers.filter((w) => /submitted sku-/.test(w.stderr));
    expect(submitters.length).toBeGreaterThan(1);
    await expectAllDone(out, 24);
  });

  it('a worker killed with SIGKILL mid-task: the others adopt its tasks; every item done, no duplicate task', async () => {
    emulator = await startEmulator({ apiKeys: ['k1', 'k2'], taskMs: [800, 1200], seed: 5 });
    const dir = tmpDir('cluster-kill');
    const { manifest } = await writeCatalogue(dir, 10);
    const out = path.join(dir, 'out');
    await enqueue(manifest, { redis: redis.url, out });
    const victim = startWorkerProcess(redis.url, emulator.baseUrl);
    workers.push(victim);
    await victim.waitFor(/submitted sku-\d+: task/, 'stderr', 60_000);
    const killed = await stopProcess(victim, 'SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    for (let i = 0; i < 2; i++) workers.push(startWorkerProcess(redis.url, emulator.baseUrl));
    const status = await waitUntilFinished(redis.url);
    expect(status).toMatchObject({ total: 10, done: 10, failed: 0 });
    expect(emulator.stats().total.tasksCreated).toBe(10);
    // The killed worker's task was picked up, not submitted again.
    expect(workers.slice(1).some((w) => /adopted sku-\d+: task/.test(w.stderr))).toBe(true);
    await expectAllDone(out, 10);
  });

  it('graceful stop (SIGTERM): exits 0, finishes what it submitted, hands the rest back', async () => {
    emulator = await startEmulator({ apiKeys: ['k1', 'k2'], taskMs: [1000, 1300], seed: 7 });
    const dir = tmpDir('cluster-stop');
    const { manifest } = await writeCatalogue(dir, 8);
    const out = path.join(dir, 'out');
    await enqueue(manifest, { redis: redis.url, out });
    const first = startWorkerProcess(redis.url, emulator.baseUrl);
    workers.push(first);
    const [, id] = await first.waitFor(/submitted (sku-\d+): task/, 'stderr', 60_000);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`done ${id}: task`));
    const partial = await queueStatus({ redis: redis.url });
    expect(partial.atService).toBe(0);
    expect(partial.done).toBeGreaterThanOrEqual(1);
    expect(partial.done).toBeLessThan(8);
    workers.push(startWorkerProcess(redis.url, emulator.baseUrl));
    await waitUntilFinished(redis.url);
    expect(emulator.stats().total.tasksCreated).toBe(8);
    await expectAllDone(out, 8);
  });

  it('the same manifest enqueued twice is one job per item, and the jobs survive a Redis restart', async () => {
    emulator = await startEmulator({ apiKeys: ['k1', 'k2'], taskMs: [200, 300], seed: 9 });
    const dir = tmpDir('cluster-restart');
    const { manifest } = await writeCatalogue(dir, 6);
    const out = path.join(dir, 'out');
    expect(await enqueue(manifest, { redis: redis.url, out })).toEqual({ items: 6, added: 6, alreadyQueued: 0 });
    const again = await runCli(['enqueue', manifest, '--redis', redis.url, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/queued 0 of 6 items \(6 were already queued\)/);
    await redis.restart();
    expect(await queueStatus({ redis: redis.url })).toMatchObject({ total: 6, waiting: 6 });
    workers.push(startWorkerProcess(redis.url, emulator.baseUrl));
    await waitUntilFinished(redis.url);
    expect(emulator.stats().total.tasksCreated).toBe(6);
    await expectAllDone(out, 6);
    const wait = await runCli(['queue', '--redis', redis.url, '--wait', '--json']);
    expect(wait.code).toBe(0);
    expect(JSON.parse(wait.stdout)).toMatchObject({ total: 6, done: 6, failed: 0, finished: true });
  });

  it('enqueue validates first: a bad manifest exits 2 and queues nothing', async () => {
    const dir = tmpDir('cluster-invalid');
    const { manifest } = await writeCatalogue(dir, 2, (i) => (i === 1 ? { n: 9 } : {}));
    const r = await runCli(['enqueue', manifest, '--redis', redis.url, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[/);
    expect((await queueStatus({ redis: redis.url })).total).toBe(0);
  });

  it('a Redis that does not answer: enqueue fails with what to do instead of waiting forever', async () => {
    const dir = tmpDir('cluster-noredis');
    const { manifest } = await writeCatalogue(dir, 1);
    await redis.stop();
    const r = await runCli(['enqueue', manifest, '--redis', redis.url, '--out', path.join(dir, 'out')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^backdrop: \[REDIS_UNREACHABLE\] cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/m);
  });
});
