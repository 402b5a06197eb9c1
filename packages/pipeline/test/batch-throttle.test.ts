/**
 * runBatch against the emulator over real HTTP: every item done, the account limits held as the
 * emulator measured them (≤ 2 submits in any second, ≤ 1 running task per key), no extra task, and
 * the result images real (decoded, base-sized, with the subject's colour in the middle).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { loadHed } from '@backdrop/edge';
import { runBatch } from '../src/engine/run-batch.js';
import type { BatchEvent, BatchSummary } from '../src/engine/batch-events.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { centreColour, maxConcurrentRunning, tinyWeights, tmpDir, writeCatalogue, writeCutout } from './helpers/batch-fixtures.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function run(manifest: string, out: string, options: Partial<Parameters<typeof runBatch>[1]>): Promise<{ summary: BatchSummary; events: BatchEvent[] }> {
  const events: BatchEvent[] = [];
  let summary: BatchSummary | undefined;
  for await (const e of runBatch(await openBatchSource(manifest), { out, lock: { dir: path.join(out, '..', 'locks') }, ...options })) {
    events.push(e);
    if (e.type === 'summary') summary = e.summary;
  }
  if (!summary) throw new Error('no summary');
  return { summary, events };
}

describe.each(['queue', 'reject'] as const)('batch against an emulator that %ss a second task', (policy) => {
  it('holds ≤ 2 submits/s and ≤ 1 running task, creates one task per item and writes real images', async () => {
    emulator = await startEmulator({ concurrencyPolicy: policy, taskMs: [120, 220], seed: 3 });
    const dir = tmpDir(`throttle-${policy}`);
    const { manifest, colors } = await writeCatalogue(dir, 8);
    const out = path.join(dir, 'out');
    const { summary, events } = await run(manifest, out, { apiKeys: ['key-one'], baseUrl: emulator.baseUrl });

    expect(summary).toMatchObject({ total: 8, succeeded: 8, failed: 0, possibleDuplicates: 0 });
    const stats = emulator.stats();
    expect(stats.total.tasksCreated).toBe(8);
    expect(stats.total.peakSubmitsPerSecond).toBeLessThanOrEqual(2);
    expect(stats.total.peakRunning).toBeLessThanOrEqual(1);
    expect(maxConcurrentRunning(stats.timeline)).toBeLessThanOrEqual(1);
    expect(stats.total.peakQueriesPerSecond).toBeLessThanOrEqual(20);
    if (policy === 'reject') expect(stats.total.throttled['Throttling.AllocationQuota'] ?? 0).toBeLessThanOrEqual(2);
    expect(events.filter((e) => e.type === 'item-done')).toHaveLength(8);

    // One line per item in results.jsonl, and real images: base-sized, subject colour in the middle.
    const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; status: string; files: string[] });
    expect(lines.map((l) => l.id)).toEqual(colors.map((_, i) => `sku-${i}`));
    for (const [i, line] of lines.entries()) {
      expect(line.status).toBe('succeeded');
      const file = path.join(out, line.files[0]);
      const meta = await sharp(file).metadata();
      expect([meta.width, meta.height]).toEqual([64, 48]);
      const c = await centreColour(file);
      for (let k = 0; k < 3; k++) expect(Math.abs(c[k] - colors[i][k])).toBeLessThan(24);
      const task = JSON.parse(readFileSync(path.join(out, `sku-${i}`, 'task.json'), 'utf8')) as Record<string, unknown>;
      expect(task.taskId).toBeTypeOf('string');
      expect(JSON.stringify(task)).not.toContain('key-one');
    }
    // Nothing half-written is left behind.
    for (const id of readdirSync(out)) if (!id.startsWith('.') && id !== 'results.jsonl') expect(readdirSync(path.join(out, id)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('batch over several keys', () => {
  it('runs one lane per key, each within its own limits, and spreads the items', async () => {
    emulator = await startEmulator({ concurrencyPolicy: 'queue', taskMs: [150, 250], seed: 5 });
    const dir = tmpDir('lanes');
    const { manifest } = await writeCatalogue(dir, 9);
    const out = path.join(dir, 'out');
    const { summary } = await run(manifest, out, { apiKeys: ['lane-a', 'lane-b', 'lane-c'], baseUrl: emulator.baseUrl });
    expect(summary).toMatchObject({ total: 9, succeeded: 9 });
    const stats = emulator.stats();
    expect(stats.total.tasksCreated).toBe(9);
    const keys = Object.keys(stats.keys);
    expect(keys).toHaveLength(3);
    for (const k of keys) {
      expect(stats.keys[k].tasksCreated).toBeGreaterThanOrEqual(2);
      expect(stats.keys[k].peakSubmitsPerSecond).toBeLessThanOrEqual(2);
      expect(maxConcurrentRunning(stats.timeline, k)).toBeLessThanOrEqual(1);
    }
  });
});

describe('batch with raised limits', () => {
  it('goes past the default pace when the account allows more (the lane is the only limiter on the key)', async () => {
    // An account with twice the default limits; the run is told so. Before the lane owned the key's
    // pacing, the client's own fixed limiters (2 submits/s, 18 queries/s) capped such a run anyway.
    emulator = await startEmulator({ concurrencyPolicy: 'reject', submitQps: 4, maxRunning: 2, queryQps: 40, taskMs: [700, 900], seed: 11 });
    const dir = tmpDir('raised');
    const { manifest } = await writeCatalogue(dir, 10);
    const out = path.join(dir, 'out');
    const { summary } = await run(manifest, out, { apiKeys: ['raised-key'], baseUrl: emulator.baseUrl, maxQps: 4, maxRunning: 2, maxQueriesPerSecond: 40, lookahead: 10 });
    expect(summary).toMatchObject({ total: 10, succeeded: 10, failed: 0, possibleDuplicates: 0 });
    const stats = emulator.stats();
    console.log(`raised limits: peak ${stats.total.peakSubmitsPerSecond} submits/s, ${stats.total.peakRunning} running, ${stats.total.peakQueriesPerSecond} queries/s`);
    expect(stats.total.tasksCreated).toBe(10);
    // Within the raised limits, and past the defaults (1 running task; 2 submits or 20 queries a second).
    expect(stats.total.peakRunning).toBe(2);
    expect(stats.total.peakSubmitsPerSecond).toBeLessThanOrEqual(4);
    expect(stats.total.peakQueriesPerSecond).toBeLessThanOrEqual(40);
    expect(stats.total.peakSubmitsPerSecond > 2 || stats.total.peakQueriesPerSecond > 20).toBe(true);
  });
});

describe('batch with cut-out elements', () => {
  it('turns cut-outs into HED edge elements once (content-hash cache) and uploads each distinct file once', async () => {
    emulator = await startEmulator({ taskMs: 100, seed: 9 });
    const dir = tmpDir('hed');
    await writeCutout(path.join(dir, 'deco', 'leaf.png'), 48, 48, [20, 160, 40]);
    const { manifest } = await writeCatalogue(dir, 3, () => ({ foreground: [{ cutout: 'deco/leaf.png', prompt: 'leaf' }] }));
    const out = path.join(dir, 'out');
    const hed = await loadHed({ weights: tinyWeights });
    let hedCalls = 0;
    try {
      const { summary } = await run(manifest, out, {
        apiKeys: ['hed-key'],
        baseUrl: emulator.baseUrl,
        edges: { cacheKey: 'tiny', edgeElement: (b) => (hedCalls++, hed.edgeElement(b)) },
      });
      expect(summary).toMatchObject({ succeeded: 3, failed: 0 });
    } finally {
      hed.dispose();
    }
    expect(hedCalls).toBe(1);
    const edges = readdirSync(path.join(out, '.backdrop', 'edges'));
    expect(edges).toHaveLength(1);
    const edge = await sharp(path.join(out, '.backdrop', 'edges', edges[0])).metadata();
    expect(edge).toMatchObject({ format: 'png', width: 48, height: 48, channels: 4 });
    // 3 bases + 1 edge element, each uploaded once.
    const uploads = readFileSync(path.join(out, '.backdrop', 'uploads.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(uploads).toHaveLength(4);
    expect(existsSync(path.join(out, 'sku-2', 'result-0.jpg')) || existsSync(path.join(out, 'sku-2', 'result-0.png'))).toBe(true);
  });
});
