#!/usr/bin/env node
/**
 * bench:pipeline — how well `runBatch` keeps each account's single task slot busy.
 *
 * For each emulator concurrency policy (`queue`: a second task waits PENDING; `reject`: it is refused
 * with 429 Throttling.AllocationQuota) and for 1 and 3 API keys, runs a 30-item batch against an
 * in-process emulator whose tasks take 1.5–2.5 s (seeded) and prints, from the emulator's own stats:
 * wall time, task-slot utilisation (time a task of ours was running ÷ time from first submit to last
 * completion, per key), the most submits in any second, the peak queries per second, and duplicate
 * tasks (tasks created − items).
 *
 * It also prints the process's peak RSS, so a large run shows whether memory stays flat:
 *   node scripts/bench-pipeline.mjs --items 2000 --keys 20 --policy queue --task-ms 50-80
 *
 * Usage: pnpm bench:pipeline [--items 30] [--policy queue|reject] [--keys 1,3] [--task-ms 1500-2500]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from '../packages/pipeline/node_modules/sharp/lib/index.js';
import { startEmulator } from '../packages/emulator/dist/index.js';
import { runBatch, itemsSource } from '../packages/pipeline/dist/index.js';
import { utilisation } from './slot-utilisation.mjs';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '30' },
    policy: { type: 'string' },
    keys: { type: 'string', default: '1,3' },
    'task-ms': { type: 'string', default: '1500-2500' },
  },
});
const ITEMS = Number(values.items);
const policies = values.policy ? [values.policy] : ['queue', 'reject'];
const keyCounts = values.keys.split(',').map(Number);
const taskMs = values['task-ms'].split('-').map(Number);
const TASK_MS = taskMs.length === 2 ? taskMs : [taskMs[0], taskMs[0]];

async function makeCatalogue(dir, count) {
  const items = [];
  // At most 50 distinct images (cycled): large runs measure the engine, not image generation.
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `p${i % 50}.png`);
    if (i >= 50) {
      items.push({ id: `sku-${i}`, base: file, prompt: `product ${i} on a sunlit table` });
      continue;
    }
    const w = 96;
    const h = 64;
    const px = Buffer.alloc(w * h * 4);
    for (let y = h / 4; y < (3 * h) / 4; y++)
      for (let x = w / 4; x < (3 * w) / 4; x++) px.set([(i * 37) % 256, (i * 91) % 256, (i * 53) % 256, 255], (y * w + x) * 4);
    await sharp(px, { raw: { width: w, height: h, channels: 4 } }).png().toFile(file);
    items.push({ id: `sku-${i}`, base: file, prompt: `product ${i} on a sunlit table` });
  }
  return items;
}

async function benchOnce(policy, keyCount, items) {
  const emulator = await startEmulator({ concurrencyPolicy: policy, taskMs: TASK_MS, seed: 42 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  const out = mkdtempSync(path.join(os.tmpdir(), 'backdrop-bench-out-'));
  const apiKeys = Array.from({ length: keyCount }, (_, i) => `bench-key-${i}`);
  const started = Date.now();
  let summary;
  try {
    for await (const e of runBatch(itemsSource('bench', items), { out, apiKeys, baseUrl: emulator.baseUrl, lock: { dir: path.join(out, '.locks') } })) {
      if (e.type === 'summary') summary = e.summary;
      if (e.type === 'warning') console.log(`  warning: [${e.code}] ${e.message}`);
    }
  } finally {
    clearInterval(sampler);
    var stats = emulator.stats();
    await emulator.close();
    rmSync(out, { recursive: true, force: true });
  }
  const wallMs = Date.now() - started;
  const keys = Object.keys(stats.keys);
  const utils = keys.map((k) => utilisation(stats.timeline, k));
  const succeeded = summary?.succeeded ?? 0;
  return {
    policy,
    keys: keyCount,
    wallS: wallMs / 1000,
    succeeded,
    utilMin: Math.min(...utils.map((u) => u.util)),
    utilMean: utils.reduce((a, u) => a + u.util, 0) / utils.length,
    handovers: utils.reduce((a, u) => a + u.handovers, 0),
    endToCreateMs: utils.reduce((a, u) => a + u.endToCreateMs * u.handovers, 0) / Math.max(1, utils.reduce((a, u) => a + u.handovers, 0)),
    createToStartMs: utils.reduce((a, u) => a + u.createToStartMs * u.handovers, 0) / Math.max(1, utils.reduce((a, u) => a + u.handovers, 0)),
    peakSubmitsPerSecondPerKey: Math.max(...keys.map((k) => stats.keys[k].peakSubmitsPerSecond)),
    peakQueriesPerSecondPerKey: Math.max(...keys.map((k) => stats.keys[k].peakQueriesPerSecond)),
    queriesPerSecondMean: stats.total.queries / (wallMs / 1000),
    peakRunningPerKey: Math.max(...keys.map((k) => stats.keys[k].peakRunning)),
    allocationRefusals: stats.total.throttled['Throttling.AllocationQuota'] ?? 0,
    rateRefusals: stats.total.throttled['Throttling.RateQuota'] ?? 0,
    duplicates: stats.total.tasksCreated - items.length,
    imagesPerMinute: succeeded / (wallMs / 60000),
    peakRssMb: peakRss / 2 ** 20,
  };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-bench-in-'));
const items = await makeCatalogue(dir, ITEMS);
console.log(`bench:pipeline — ${ITEMS} items, emulator tasks ${TASK_MS[0]}–${TASK_MS[1]} ms (seed 42), limits per key: 2 submits/s, 1 running, 20 queries/s\n`);
const rows = [];
for (const policy of policies) {
  for (const k of keyCounts) {
    const r = await benchOnce(policy, k, items);
    rows.push(r);
    console.log(
      `policy=${r.policy.padEnd(6)} keys=${r.keys}  wall ${r.wallS.toFixed(1)} s  done ${r.succeeded}/${ITEMS}  ` +
        `utilisation min ${r.utilMin.toFixed(3)} mean ${r.utilMean.toFixed(3)}  ` +
        `max submits/s per key ${r.peakSubmitsPerSecondPerKey}  max running per key ${r.peakRunningPerKey}  ` +
        `queries/s peak ${r.peakQueriesPerSecondPerKey} (mean ${r.queriesPerSecondMean.toFixed(1)} all keys)  ` +
        `429 slot ${r.allocationRefusals} rate ${r.rateRefusals}  duplicates ${r.duplicates}  ${r.imagesPerMinute.toFixed(1)} items/min  peak RSS ${r.peakRssMb.toFixed(0)} MB (emulator included)`,
    );
    if (r.handovers > 0) {
      console.log(
        `    ${r.handovers} slot hand-overs after the slot fell idle: task end → next task created ${r.endToCreateMs.toFixed(0)} ms ` +
          `(our end detection + submit + the service's admission), created → started ${r.createToStartMs.toFixed(0)} ms (the service's PENDING time)`,
      );
    }
  }
}
rmSync(dir, { recursive: true, force: true });
console.log('\ntargets: utilisation ≥ 0.97, ≤ 2 submits/s per key, ≤ 1 running per key, 0 duplicates, all done');
for (const r of rows) {
  const misses = [
    r.utilMin < 0.97 ? `utilisation ${r.utilMin.toFixed(3)}` : '',
    r.peakSubmitsPerSecondPerKey > 2 ? `${r.peakSubmitsPerSecondPerKey} submits/s` : '',
    r.peakRunningPerKey > 1 ? `${r.peakRunningPerKey} running` : '',
    r.duplicates !== 0 ? `${r.duplicates} duplicates` : '',
    r.succeeded !== ITEMS ? `${ITEMS - r.succeeded} not done` : '',
  ].filter(Boolean);
  console.log(`  policy=${r.policy} keys=${r.keys}: ${misses.length === 0 ? 'met' : `NOT met (${misses.join(', ')})`}`);
}
