#!/usr/bin/env node
/**
 * `pnpm bench:onnx-options` — the onnxruntime session options of the HED network (`hedSessionOptions` in
 * packages/edge/src/engines/onnx/onnx-network.ts) against their alternatives: the memory arena off, the
 * memory pattern on, intra-op spinning off. Each variant runs in its own process (so peak RSS is its own):
 * the full-size checkpoint, one session, `--passes` forward passes cycling through the network sizes of
 * `pnpm bench:edge`'s edge run (768×512, 768×512, 512×512, 512×704). Variants alternate round by round
 * (`--rounds`, default 3) so a slow spell of the machine hits all of them; prints the medians of the CPU
 * time of the passes (user + system, and system alone: page faults), their wall time, and the process's
 * peak RSS. Run after `pnpm build`.
 * Options: --threads N (intra-op threads, default every core), --passes N (default 8), --rounds N,
 * --weights <file> (default ../shared/hed-golden/weights/hed-random-seed1-fp16.pth).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repoRoot, 'packages', 'edge', 'dist');
const SIZES = [
  [768, 512],
  [768, 512],
  [512, 512],
  [512, 704],
];
const VARIANTS = {
  'as shipped': {},
  'arena off': { enableCpuMemArena: false },
  'memory pattern on': { enableMemPattern: true },
  'spinning off': { extra: { 'session.intra_op.allow_spinning': '0' } },
};

function parseArgs(argv) {
  const args = { threads: os.availableParallelism(), passes: 8, rounds: 3, weights: path.resolve(repoRoot, '..', 'shared', 'hed-golden', 'weights', 'hed-random-seed1-fp16.pth') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--threads') args.threads = Number(next());
    else if (a === '--passes') args.passes = Number(next());
    else if (a === '--rounds') args.rounds = Number(next());
    else if (a === '--weights') args.weights = next();
    else if (a === '--child') args.child = next();
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

/** Child: one session with the variant's options, the passes, one JSON line. */
async function child(args) {
  const imp = (file) => import(pathToFileURL(path.join(dist, file)).href);
  const { parseHedCheckpoint } = await imp('checkpoint/load-checkpoint.js');
  const { buildHedOnnxModel } = await imp('engines/onnx/hed-onnx-graph.js');
  const { hedSessionOptions } = await imp('engines/onnx/onnx-network.js');
  const { loadOnnxRuntime } = await imp('engines/onnx/load-onnxruntime.js');
  const ort = await loadOnnxRuntime();
  const model = buildHedOnnxModel(parseHedCheckpoint(readFileSync(args.weights), args.weights));
  const shipped = hedSessionOptions(args.threads);
  const change = VARIANTS[args.child];
  const session = await ort.InferenceSession.create(model, { ...shipped, ...change });
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < args.passes; i++) {
    const [w, h] = SIZES[i % SIZES.length];
    const x = new Float32Array(3 * w * h).map((_, k) => (k * 7919) % 255);
    await session.run({ image: new ort.Tensor('float32', x, [1, 3, h, w]) });
  }
  const used = process.cpuUsage(cpu);
  const result = {
    wallS: (performance.now() - started) / 1000,
    cpuS: (used.user + used.system) / 1e6,
    sysS: used.system / 1e6,
    rssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

function main(args) {
  if (!existsSync(path.join(dist, 'index.js'))) throw new Error('packages/edge/dist is missing; run `pnpm build` first.');
  if (!existsSync(args.weights)) throw new Error(`no full-size checkpoint at ${args.weights}; pass --weights`);
  console.log(
    `bench-onnx-options: ${os.availableParallelism()} cores, ${args.threads} intra-op threads, ${args.passes} passes per process, ${args.rounds} rounds, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  const runs = Object.fromEntries(Object.keys(VARIANTS).map((v) => [v, []]));
  for (let round = 0; round < args.rounds; round++) {
    for (const variant of Object.keys(VARIANTS)) {
      const argv = [fileURLToPath(import.meta.url), '--child', variant, '--threads', String(args.threads), '--passes', String(args.passes), '--weights', args.weights];
      const c = spawnSync(process.execPath, argv, { encoding: 'utf8' });
      const line = c.stdout.split('\n').find((l) => l.startsWith('BENCH '));
      if (!line) throw new Error(`${variant}: ${c.stderr.trim().split('\n').pop()}`);
      runs[variant].push(JSON.parse(line.slice(6)));
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  console.log(`\n  ${'variant'.padEnd(18)} ${'CPU s'.padStart(7)} ${'sys s'.padStart(6)} ${'wall s'.padStart(7)} ${'peak RSS'.padStart(9)}   (medians)`);
  for (const [variant, xs] of Object.entries(runs)) {
    const m = (k) => median(xs.map((x) => x[k]));
    console.log(
      `  ${variant.padEnd(18)} ${m('cpuS').toFixed(2).padStart(7)} ${m('sysS').toFixed(2).padStart(6)} ${m('wallS').toFixed(2).padStart(7)} ${`${m('rssMb').toFixed(0)} MB`.padStart(9)}`,
    );
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.child) await child(args);
else main(args);
