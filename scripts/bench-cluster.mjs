#!/usr/bin/env node
/**
 * `pnpm bench:cluster` — the Redis queue against the local batch, on the same emulator workload:
 * 60 items of 1–2 s tasks, 2 keys. Cluster: a fresh redis-server, `backdrop enqueue`, 3 `backdrop worker`
 * processes, until `queue` reports done. Local: `backdrop batch` with the same keys. For each: per-key
 * slot utilisation (target ≥ 0.95), peak submits in any second and peak running per key (≤ 2, ≤ 1),
 * duplicate tasks (0) and items per minute.
 *
 *   node scripts/bench-cluster.mjs [--items 60] [--workers 3] [--task-ms 1000-2000]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import sharp from '../packages/pipeline/node_modules/sharp/lib/index.js';
import { startEmulator, fingerprintApiKey } from '../packages/emulator/dist/index.js';
import { queueStatus } from '../packages/cluster/dist/index.js';
import { utilisation } from './slot-utilisation.mjs';

const { values } = parseArgs({
  options: { items: { type: 'string', default: '60' }, workers: { type: 'string', default: '3' }, 'task-ms': { type: 'string', default: '1000-2000' } },
});
const ITEMS = Number(values.items);
const WORKERS = Number(values.workers);
const TASK_MS = values['task-ms'].split('-').map(Number);
const KEYS = ['bench-k1', 'bench-k2'];
const cli = path.resolve(import.meta.dirname, '..', 'packages', 'cli', 'dist', 'main.js');

function run(args, env = {}) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', () => {});
  const exited = new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, exited };
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function catalogue(dir) {
  mkdirSync(path.join(dir, 'cutouts'), { recursive: true });
  const lines = [];
  for (let i = 0; i < ITEMS; i++) {
    const px = Buffer.alloc(64 * 48 * 4);
    for (let p = 0; p < 64 * 48; p++) if (p % 64 > 16 && p % 64 < 48) px.set([(i * 37) % 256, 120, (i * 91) % 256, 255], p * 4);
    await sharp(px, { raw: { width: 64, height: 48, channels: 4 } })
      .png()
      .toFile(path.join(dir, 'cutouts', `p${i}.png`));
    lines.push(JSON.stringify({ id: `sku-${i}`, base: `cutouts/p${i}.png`, prompt: `product ${i}` }));
  }
  const manifest = path.join(dir, 'manifest.jsonl');
  writeFileSync(manifest, lines.join('\n') + '\n');
  return manifest;
}

function figures(name, emulator, wallMs) {
  const stats = emulator.stats();
  const keys = KEYS.map(fingerprintApiKey);
  const utils = keys.map((k) => utilisation(stats.timeline, k));
  const ends = stats.timeline.map((t) => t.endedAt ?? 0);
  const spanMs = Math.max(...ends) - Math.min(...stats.timeline.map((t) => t.submittedAt));
  return {
    name,
    wallS: wallMs / 1000,
    spanS: spanMs / 1000,
    itemsPerMinSpan: (ITEMS / spanMs) * 60_000,
    itemsPerMin: (ITEMS / wallMs) * 60_000,
    util: utils.map((u) => u.util),
    peakSubmits: keys.map((k) => stats.keys[k]?.peakSubmitsPerSecond ?? 0),
    peakRunning: keys.map((k) => stats.keys[k]?.peakRunning ?? 0),
    peakQueries: keys.map((k) => stats.keys[k]?.peakQueriesPerSecond ?? 0),
    tasks: stats.total.tasksCreated,
    duplicates: stats.total.tasksCreated - ITEMS,
    succeeded: stats.total.tasksByStatus.SUCCEEDED,
  };
}

async function benchCluster(dir, manifest) {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const emulator = await startEmulator({ apiKeys: KEYS, taskMs: TASK_MS, seed: 42 });
  const workers = [];
  try {
    await sleep(300);
    const q = await run(['enqueue', manifest, '--redis', url, '--out', path.join(dir, 'out-cluster')]).exited;
    if (q.code !== 0) throw new Error(`enqueue failed: ${q.stderr}`);
    const t0 = Date.now();
    for (let i = 0; i < WORKERS; i++) workers.push(run(['worker', '--redis', url, '--base-url', emulator.baseUrl], { DASHSCOPE_API_KEYS: KEYS.join(',') }));
    for (;;) {
      const s = await queueStatus({ redis: url });
      if (s.finished) break;
      await sleep(200);
    }
    return figures(`cluster (${WORKERS} workers)`, emulator, Date.now() - t0);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    await emulator.close();
    redis.kill('SIGTERM');
  }
}

async function benchLocal(dir, manifest) {
  const emulator = await startEmulator({ apiKeys: KEYS, taskMs: TASK_MS, seed: 42 });
  try {
    const t0 = Date.now();
    const r = await run(['batch', manifest, '--out', path.join(dir, 'out-batch'), '--base-url', emulator.baseUrl, ...KEYS.flatMap((k) => ['--api-key', k])], {
      BACKDROP_LOCK_DIR: path.join(dir, 'locks'),
    }).exited;
    if (r.code !== 0) throw new Error(`batch failed: ${r.stderr.slice(-2000)}`);
    return figures('local batch', emulator, Date.now() - t0);
  } finally {
    await emulator.close();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-bench-cluster-'));
try {
  const manifest = await catalogue(dir);
  console.log(`${ITEMS} items, tasks ${TASK_MS.join('–')} ms, keys ${KEYS.length}, ${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}`);
  const results = [await benchCluster(dir, manifest), await benchLocal(dir, manifest)];
  for (const r of results) {
    console.log(
      `${r.name.padEnd(22)} wall ${r.wallS.toFixed(1)} s (${r.itemsPerMin.toFixed(1)} items/min; first submit → last end ${r.spanS.toFixed(1)} s, ${r.itemsPerMinSpan.toFixed(1)} items/min)\n${''.padEnd(23)}` +
        `slot utilisation ${r.util.map((u) => u.toFixed(3)).join(' / ')}  peak submits/s ${r.peakSubmits.join(' / ')}  ` +
        `peak running ${r.peakRunning.join(' / ')}  peak queries/s ${r.peakQueries.join(' / ')}  tasks ${r.tasks} (duplicates ${r.duplicates})`,
    );
  }
  const c = results[0];
  console.log(
    `\ncluster vs local: ${(c.itemsPerMin / results[1].itemsPerMin).toFixed(2)}× items/min over the wall time (worker start-up included), ${(c.itemsPerMinSpan / results[1].itemsPerMinSpan).toFixed(2)}× from first submit to last end`,
  );
  console.log('targets: utilisation ≥ 0.95 per key, ≤ 2 submits/s and ≤ 1 running per key, 0 duplicates');
  const misses = [
    ...c.util.filter((u) => u < 0.95).map((u) => `utilisation ${u.toFixed(3)}`),
    ...c.peakSubmits.filter((p) => p > 2).map((p) => `peak submits ${p}`),
    ...c.peakRunning.filter((p) => p > 1).map((p) => `peak running ${p}`),
    ...(c.duplicates !== 0 ? [`duplicates ${c.duplicates}`] : []),
  ];
  console.log(misses.length ? `cluster missed: ${misses.join(', ')}` : 'cluster met every target');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
