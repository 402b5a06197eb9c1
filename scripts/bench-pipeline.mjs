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
 * Scenario "HED items" (`--scenario hed`): 10 items of which 3 have a cut-out element that HED turns
 * into an edge element (600×400 cut-outs), 1 key, with the tiny demo checkpoint
 * (`examples/weights/hed-demo-tiny.pth`) and, where present, the full-size checkpoint of
 * `../shared/hed-golden/cases.json`: prints whether the task slot stays busy while HED runs
 * (target: utilisation ≥ 0.95 with the tiny checkpoint).
 *
 * Usage: pnpm bench:pipeline [--scenario all|plain|hed] [--items 30] [--policy queue|reject] [--keys 1,3] [--task-ms 1500-2500]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from '../packages/pipeline/node_modules/sharp/lib/index.js';
import { startEmulator } from '../packages/emulator/dist/index.js';
import { runBatch, itemsSource, openHedEdgeMaker } from '../packages/pipeline/dist/index.js';
import { utilisation } from './slot-utilisation.mjs';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '30' },
    policy: { type: 'string' },
    keys: { type: 'string', default: '1,3' },
    'task-ms': { type: 'string', default: '1500-2500' },
    scenario: { type: 'string', default: 'all' },
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
    for (let y = h / 4; y < (3 * h) / 4; y++) for (let x = w / 4; x < (3 * w) / 4; x++) px.set([(i * 37) % 256, (i * 91) % 256, (i * 53) % 256, 255], (y * w + x) * 4);
    await sharp(px, { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toFile(file);
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
    endToCreateMs:
      utils.reduce((a, u) => a + u.endToCreateMs * u.handovers, 0) /
      Math.max(
        1,
        utils.reduce((a, u) => a + u.handovers, 0),
      ),
    createToStartMs:
      utils.reduce((a, u) => a + u.createToStartMs * u.handovers, 0) /
      Math.max(
        1,
        utils.reduce((a, u) => a + u.handovers, 0),
      ),
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

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** A 600×400 RGBA cut-out with a shape whose edges HED finds. */
async function writeHedCutout(file, i) {
  const w = 600;
  const h = 400;
  const px = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const dx = (x - w / 2) / (w / 3);
      const dy = (y - h / 2) / (h / 3);
      if (dx * dx + dy * dy < 1) px.set([(i * 67) % 256, (40 + ((x >> 4) & 1) * 120) % 256, (i * 29 + y) % 256, 255], (y * w + x) * 4);
    }
  await sharp(px, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toFile(file);
}

/** The HED scenario with one checkpoint: 10 items, 3 of them with a cut-out element, 1 key. */
async function benchHed(label, weights, dir) {
  const base = await makeCatalogue(dir, 10);
  const hedIdx = new Set([1, 4, 7]);
  const items = [];
  for (let i = 0; i < base.length; i++) {
    if (!hedIdx.has(i)) {
      items.push(base[i]);
      continue;
    }
    const cut = path.join(dir, `${label}-cut${i}.png`);
    await writeHedCutout(cut, i);
    items.push({ ...base[i], foreground: [{ cutout: cut }] });
  }
  const edges = await openHedEdgeMaker({ weights, workers: os.availableParallelism() });
  const emulator = await startEmulator({ concurrencyPolicy: 'queue', taskMs: TASK_MS, seed: 42 });
  const out = mkdtempSync(path.join(os.tmpdir(), 'backdrop-bench-hed-'));
  const started = Date.now();
  let summary;
  const hedMs = [];
  const timed = {
    cacheKey: edges.cacheKey,
    edgeElement: async (b) => {
      const t = Date.now();
      try {
        return await edges.edgeElement(b);
      } finally {
        hedMs.push(Date.now() - t);
      }
    },
  };
  try {
    for await (const e of runBatch(itemsSource('bench-hed', items), { out, apiKeys: ['bench-hed-key'], baseUrl: emulator.baseUrl, lock: false, edges: timed })) {
      if (e.type === 'summary') summary = e.summary;
      if (e.type === 'warning') console.log(`  warning: [${e.code}] ${e.message}`);
    }
  } finally {
    var stats = emulator.stats();
    await emulator.close();
    await edges.close();
    rmSync(out, { recursive: true, force: true });
  }
  const u = utilisation(stats.timeline, Object.keys(stats.keys)[0]);
  const wallS = (Date.now() - started) / 1000;
  console.log(
    `HED items (${label}): 10 items, 3 with a 600×400 cut-out  wall ${wallS.toFixed(1)} s  done ${summary?.succeeded ?? 0}/10  ` +
      `slot utilisation ${u.util.toFixed(3)}  HED per element ${hedMs.map((m) => (m / 1000).toFixed(1)).join(', ')} s`,
  );
  return u.util;
}

async function hedScenario() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-bench-hed-in-'));
  const tiny = path.join(repoRoot, 'examples', 'weights', 'hed-demo-tiny.pth');
  console.log(`bench:pipeline — scenario "HED items", emulator tasks ${TASK_MS[0]}–${TASK_MS[1]} ms, 1 key, limits 2 submits/s, 1 running\n`);
  const util = await benchHed('tiny demo checkpoint', tiny, dir);
  const cases = path.join(repoRoot, '..', 'shared', 'hed-golden', 'cases.json');
  let full;
  if (existsSync(cases)) {
    const c = JSON.parse(readFileSync(cases, 'utf8')).cases.find((x) => x.name.startsWith('full/'));
    if (c) full = path.join(path.dirname(cases), c.weights);
  }
  if (full && existsSync(full)) await benchHed('full-size checkpoint', full, dir);
  else console.log('HED items (full-size checkpoint): skipped — ../shared/hed-golden/cases.json or its full-size weights are not here');
  rmSync(dir, { recursive: true, force: true });
  console.log(`target: slot utilisation ≥ 0.95 with the tiny checkpoint: ${util >= 0.95 ? 'met' : `NOT met (${util.toFixed(3)})`}`);
}

if (values.scenario === 'hed') {
  await hedScenario();
  process.exit(0);
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

if (values.scenario === 'all') {
  console.log('');
  await hedScenario();
}
