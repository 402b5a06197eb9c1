#!/usr/bin/env node
/**
 * `pnpm bench:edge` — speed of HED edge elements with the full-size checkpoint (run after `pnpm build`).
 *
 * For each TensorFlow.js backend that loads (each in its own child process: tfjs has one backend per
 * process): checkpoint load time, milliseconds per element for every golden input (single in-process
 * network, after a warm-up), where the time goes (decode, resize, network, combine, post, resize back,
 * encode), pool throughput (elements per minute with one worker per core) and peak RSS.
 *
 * Options: --weights <file> (default ../shared/hed-golden/weights/hed-random-seed1-fp16.pth, else
 * BACKDROP_HED_WEIGHTS), --backends wasm,node,cpu (default: node,wasm; cpu is pure JavaScript and takes
 * minutes per element — add it explicitly), --inputs <dir>, --repeat N (coffee runs, default 3),
 * --pool-jobs N (default 4 per worker), --skip-pool.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '..', 'shared', 'hed-golden');
const edgeDist = path.join(repoRoot, 'packages', 'edge', 'dist', 'index.js');

function parseArgs(argv) {
  const args = { backends: ['node', 'wasm'], repeat: 3, poolJobsPerWorker: 4, skipPool: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--weights') args.weights = next();
    else if (a === '--backends') args.backends = next().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--inputs') args.inputs = next();
    else if (a === '--repeat') args.repeat = Number(next());
    else if (a === '--pool-jobs') args.poolJobsPerWorker = Number(next());
    else if (a === '--skip-pool') args.skipPool = true;
    else if (a === '--child') args.child = next();
    else throw new Error(`unknown option ${a}`);
  }
  args.weights ??= existsSync(path.join(shared, 'weights', 'hed-random-seed1-fp16.pth'))
    ? path.join(shared, 'weights', 'hed-random-seed1-fp16.pth')
    : process.env.BACKDROP_HED_WEIGHTS;
  args.inputs ??= existsSync(path.join(shared, 'inputs')) ? path.join(shared, 'inputs') : path.join(repoRoot, 'examples', 'cutouts');
  return args;
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** Runs in a child process: one backend, prints one JSON line. */
async function child(args) {
  const edge = await import(edgeDist);
  const result = { backend: args.child };
  let t = performance.now();
  const hed = await edge.loadHed({ weights: args.weights, backend: args.child, download: false });
  result.loadMs = performance.now() - t;
  result.backendInfo = hed.backend;
  result.weights = { path: hed.weights.path, channels: hed.weights.channels };
  const inputs = readdirSync(args.inputs).filter((f) => f.endsWith('.png')).sort();
  const coffee = path.join(args.inputs, inputs.includes('coffee.png') ? 'coffee.png' : inputs[0]);

  t = performance.now();
  await hed.edgeElement(coffee);
  result.firstMs = performance.now() - t;

  const steps = {};
  const runs = [];
  for (let i = 0; i < args.repeat; i++) {
    t = performance.now();
    await hed.edgeElement(coffee, {
      onTimings: (tm) => {
        for (const [k, v] of Object.entries(tm)) steps[k] = (steps[k] ?? 0) + v / args.repeat;
      },
    });
    runs.push(performance.now() - t);
  }
  result.coffee = { file: path.basename(coffee), runs, meanMs: runs.reduce((a, b) => a + b, 0) / runs.length, steps };

  result.perInput = [];
  if (args.child !== 'cpu') {
    for (const f of inputs) {
      const img = await edge.decodeRgba(path.join(args.inputs, f));
      t = performance.now();
      const tm = {};
      await hed.edgeElement(path.join(args.inputs, f), { onTimings: (x) => Object.assign(tm, x) });
      result.perInput.push({ file: f, size: `${img.width}×${img.height}`, ms: performance.now() - t, networkMs: tm.networkMs });
    }
  }
  hed.dispose();

  if (!args.skipPool && args.child !== 'cpu') {
    const size = os.availableParallelism();
    t = performance.now();
    const pool = await edge.createHedPool({ weights: args.weights, backend: args.child, size, download: false });
    const startMs = performance.now() - t;
    // Warm every worker once (first passes pay for weight packing), then time a batch.
    await Promise.all(Array.from({ length: size }, () => pool.edgeElement(coffee)));
    const jobs = size * args.poolJobsPerWorker;
    t = performance.now();
    await Promise.all(Array.from({ length: jobs }, () => pool.edgeElement(coffee)));
    const ms = performance.now() - t;
    await pool.close();
    result.pool = { workers: size, jobs, startMs, ms, perMinute: (jobs / ms) * 60000 };
  }
  result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

function runChild(backend, args) {
  return new Promise((resolve) => {
    const argv = [fileURLToPath(import.meta.url), '--child', backend, '--weights', args.weights, '--inputs', args.inputs, '--repeat', String(args.repeat), '--pool-jobs', String(args.poolJobsPerWorker)];
    if (args.skipPool) argv.push('--skip-pool');
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (line) resolve(JSON.parse(line.slice(6)));
      else resolve({ backend, error: (err.trim().split('\n').find((l) => l.includes('[')) ?? err.trim().split('\n').pop() ?? `exit ${code}`) });
    });
  });
}

function report(r) {
  console.log(`\n== backend ${r.backend} ==`);
  if (r.error) {
    console.log(`  not available: ${r.error}`);
    return;
  }
  const b = r.backendInfo;
  console.log(`  tfjs backend: ${b.name}${b.simd === undefined ? '' : `, SIMD ${b.simd}`}${b.threads === undefined ? '' : `, threads ${b.threads}`}`);
  console.log(`  weights: ${r.weights.path} (channels ${r.weights.channels.join('/')}), load ${fmt(r.loadMs)}`);
  console.log(`  ${r.coffee.file}: first element ${fmt(r.firstMs)} (includes weight packing), then ${r.coffee.runs.map(fmt).join(', ')} → ${fmt(r.coffee.meanMs)} per element, ${(60000 / r.coffee.meanMs).toFixed(1)} per minute single-threaded`);
  const s = r.coffee.steps;
  const resizes = s.resizeMs + s.combineMs + s.postMs + s.resizeBackMs;
  console.log(
    `  where the time goes: network ${fmt(s.networkMs)}, resizes+combine ${fmt(resizes)} (detect resize ${fmt(s.resizeMs)}, combine ${fmt(s.combineMs)}, post ${fmt(s.postMs)}, resize back ${fmt(s.resizeBackMs)}), PNG decode ${fmt(s.decodeMs)}, encode ${fmt(s.encodeMs)}`,
  );
  if (r.perInput.length) {
    console.log('  per golden input (one pass each):');
    for (const p of r.perInput) console.log(`    ${p.file.padEnd(28)} ${p.size.padStart(10)}  ${fmt(p.ms).padStart(9)}  (network ${fmt(p.networkMs)})`);
  }
  if (r.pool) {
    console.log(
      `  pool: ${r.pool.workers} workers, start ${fmt(r.pool.startMs)}, ${r.pool.jobs} × ${r.coffee.file} in ${(r.pool.ms / 1000).toFixed(1)} s → ${r.pool.perMinute.toFixed(1)} elements per minute`,
    );
  }
  console.log(`  peak RSS (process incl. workers): ${mb(r.maxRssBytes)}`);
}

const args = parseArgs(process.argv.slice(2));
if (args.child) {
  try {
    await child(args);
  } catch (err) {
    process.stdout.write(`BENCH ${JSON.stringify({ backend: args.child, error: `[${err.code ?? 'ERROR'}] ${err.message}` })}\n`);
  }
} else {
  if (!existsSync(edgeDist)) {
    console.error('bench-edge: packages/edge/dist is missing; run `pnpm build` first.');
    process.exit(2);
  }
  if (!args.weights || !existsSync(args.weights)) {
    console.error('bench-edge: no full-size checkpoint: pass --weights <ControlNetHED.pth> or set BACKDROP_HED_WEIGHTS (../shared is absent).');
    process.exit(2);
  }
  console.log(`bench-edge: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
  console.log(`weights ${args.weights}; inputs ${args.inputs}`);
  console.log('reference: Python (PyTorch, this 2-core machine) makes coffee.png (600×400) in 1.07 s with 2 threads, 1.9 s with 1 (≈56 per minute)');
  for (const backend of args.backends) report(await runChild(backend, args));
}
