#!/usr/bin/env node
/**
 * `pnpm bench:edge` — HED edge elements with the full-size checkpoint on every engine that loads, side by
 * side, and the Python reference (PyTorch, 2 threads) on the same inputs where /usr/bin/python3 has torch,
 * cv2 and PIL. Run after `pnpm build`. Prints, per engine:
 *
 * - ms per element for a 600×400 and a 1024×1024 cut-out (one in-process network using every core, after
 *   a warm-up pass);
 * - pool throughput on 600×400 elements (elements per minute) for each workers × threads split of the cores;
 * - a whole `backdrop edge` run on 4 inputs (wall time and peak RSS of the process, workers included),
 *   repeated `--edge-runs` times, alternating with the reference's whole run on the same inputs: the median
 *   wall time (with the range) and the highest peak RSS are reported, since one run of each on a shared
 *   machine varies by ±20 %;
 *
 * then the ratios against the reference and the targets (edge run ≤ 0.7× the reference's time, pool ≥ 45
 * elements/min, peak RSS ≤ 700 MB).
 *
 * Options: --engines onnx,node,wasm (default; add cpu explicitly: plain JavaScript takes minutes),
 * --weights <file> (default ../shared/hed-golden/weights/hed-random-seed1-fp16.pth, else
 * BACKDROP_HED_WEIGHTS), --inputs <dir> (default ../shared/hed-golden/inputs), --repeat N (timed passes per
 * size, default 2), --pool-jobs N (per worker, default 4: about 10 s of work per split, less at the mercy of a slow second), --edge-runs N (whole runs of each, default 3),
 * --skip-pool, --skip-python.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '..', 'shared');
const edgeDist = path.join(repoRoot, 'packages', 'edge', 'dist', 'index.js');
const pythonReference = path.join(shared, 'tools', 'hed_reference.py');
const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const EDGE_RUN_INPUTS = ['coffee.png', 'motorcycle.png', 'logo.png', 'logo-512x700.png'];
const TARGET = { ratio: 0.7, poolPerMinute: 45, rssMb: 700 };

function parseArgs(argv) {
  const args = { engines: ['onnx', 'node', 'wasm'], repeat: 2, poolJobsPerWorker: 4, edgeRuns: 3, skipPool: false, skipPython: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--weights') args.weights = next();
    else if (a === '--engines' || a === '--backends')
      args.engines = next()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--inputs') args.inputs = next();
    else if (a === '--repeat') args.repeat = Number(next());
    else if (a === '--pool-jobs') args.poolJobsPerWorker = Number(next());
    else if (a === '--edge-runs') args.edgeRuns = Math.max(1, Number(next()));
    else if (a === '--skip-pool') args.skipPool = true;
    else if (a === '--skip-python') args.skipPython = true;
    else if (a === '--child') args.child = next();
    else if (a === '--work') args.work = next();
    else throw new Error(`unknown option ${a}`);
  }
  const sharedWeights = path.join(shared, 'hed-golden', 'weights', 'hed-random-seed1-fp16.pth');
  args.weights ??= existsSync(sharedWeights) ? sharedWeights : process.env.BACKDROP_HED_WEIGHTS;
  args.inputs ??= path.join(shared, 'hed-golden', 'inputs');
  return args;
}

const mb = (bytes) => bytes / 1e6;
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The CLI entry as the root package.json's `backdrop` script names it (survives the CLI moving packages). */
function cliEntry() {
  const script = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).scripts?.backdrop ?? '';
  const m = /node\s+(\S+\.js)/.exec(script);
  return m ? path.join(repoRoot, m[1]) : undefined;
}

/** Runs a command, returns wall ms, peak RSS bytes (GNU time, else undefined) and the exit code. */
function measured(cmd, argv, env) {
  return new Promise((resolve) => {
    const useTime = existsSync(TIME);
    const started = performance.now();
    const p = useTime
      ? spawn(TIME, ['-f', 'BENCH-RSS-KB %M', cmd, ...argv], { env, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(cmd, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const ms = performance.now() - started;
      const m = /BENCH-RSS-KB (\d+)/.exec(err);
      const lines = err.split('\n').filter((l) => l && !l.startsWith('BENCH-RSS-KB') && !l.startsWith('Command exited'));
      resolve({ ms, rssBytes: m ? Number(m[1]) * 1024 : undefined, code, stderr: lines });
    });
  });
}

/** Makes the 600×400 and 1024×1024 cut-outs (PNG with alpha) from the golden inputs. */
async function prepareInputs(args, work) {
  const sharp = (await import('sharp')).default;
  const small = path.join(args.inputs, 'coffee.png');
  const square = path.join(work, 'square-1024.png');
  await sharp(path.join(args.inputs, 'coffee-large.png')).resize(1024, 1024, { fit: 'cover' }).png().toFile(square);
  const meta = await sharp(small).metadata();
  if (meta.width !== 600 || meta.height !== 400) throw new Error(`${small} is ${meta.width}×${meta.height}, expected 600×400`);
  return { small, square };
}

/** Runs in a child process: one engine; prints one BENCH line. */
async function child(args) {
  const edge = await import(edgeDist);
  const { small, square } = JSON.parse(args.work);
  const result = { engine: args.child };
  let t = performance.now();
  const hed = await edge.loadHed({ weights: args.weights, backend: args.child, download: false });
  result.loadMs = performance.now() - t;
  result.info = hed.backend;
  result.channels = hed.weights.channels;
  const timeOf = async (file) => {
    await hed.edgeElement(file); // warm-up: first pass pays for weight packing and allocation
    const runs = [];
    for (let i = 0; i < args.repeat; i++) {
      const tm = {};
      t = performance.now();
      await hed.edgeElement(file, { onTimings: (x) => Object.assign(tm, x) });
      runs.push({ ms: performance.now() - t, networkMs: tm.networkMs });
    }
    return { ms: mean(runs.map((r) => r.ms)), networkMs: mean(runs.map((r) => r.networkMs)) };
  };
  result.small = await timeOf(small);
  result.square = await timeOf(square);
  hed.dispose();

  result.pools = [];
  if (!args.skipPool && args.child !== 'cpu') {
    const cores = os.availableParallelism();
    // onnx: every workers × threads split of the cores; tfjs: one thread per pass, so one worker per core.
    const splits = args.child === 'onnx' ? [...new Set([cores, 1])].map((w) => ({ size: w, threads: Math.max(1, Math.floor(cores / w)) })) : [{ size: cores }];
    for (const split of splits) {
      t = performance.now();
      const pool = await edge.createHedPool({ weights: args.weights, backend: args.child, download: false, ...split });
      const startMs = performance.now() - t;
      await Promise.all(Array.from({ length: pool.size }, () => pool.edgeElement(small))); // warm every worker
      const jobs = pool.size * args.poolJobsPerWorker;
      t = performance.now();
      await Promise.all(Array.from({ length: jobs }, () => pool.edgeElement(small)));
      const ms = performance.now() - t;
      await pool.close();
      result.pools.push({ workers: pool.size, threads: pool.backend.threads ?? 1, jobs, startMs, perMinute: (jobs / ms) * 60000 });
    }
  }
  process.stdout.write(`BENCH ${JSON.stringify(result)}\n`);
}

function runChild(engine, args, work) {
  return new Promise((resolve) => {
    const argv = [fileURLToPath(import.meta.url), '--child', engine, '--weights', args.weights, '--inputs', args.inputs, '--work', JSON.stringify(work)];
    argv.push('--repeat', String(args.repeat), '--pool-jobs', String(args.poolJobsPerWorker));
    if (args.skipPool) argv.push('--skip-pool');
    const p = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (line) resolve(JSON.parse(line.slice(6)));
      else
        resolve({
          engine,
          error:
            err
              .trim()
              .split('\n')
              .find((l) => l.includes('[')) ??
            err.trim().split('\n').pop() ??
            `exit ${code}`,
        });
    });
  });
}

/** `backdrop edge` on the 4 inputs with one engine: wall time and peak RSS. */
async function edgeRun(engine, args, cli, work) {
  const out = path.join(work, `edge-${engine}`);
  const inputs = EDGE_RUN_INPUTS.map((f) => path.join(args.inputs, f));
  const r = await measured(process.execPath, [cli, 'edge', ...inputs, '--out', out, '--weights', args.weights, '--backend', engine], process.env);
  const summary = r.stderr.find((l) => l.startsWith('HED engine:'));
  return { ...r, summary, failed: r.code !== 0 ? r.stderr.slice(-1)[0] : undefined };
}

/** Whether /usr/bin/python3 has torch, cv2 and PIL (the reference's Debian packages). */
function pythonProblem() {
  if (!existsSync(PYTHON)) return `${PYTHON} is absent`;
  if (!existsSync(pythonReference)) return `${pythonReference} is absent`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, cv2, PIL'], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    return `${PYTHON} lacks torch/cv2/PIL (Debian: python3-torch python3-opencv python3-pil): ${String(err.stderr ?? err.message)
      .trim()
      .split('\n')
      .pop()}`;
  }
}

/** The reference per element (in-process, 2 threads, after a warm-up) and as a whole run on the 4 inputs. */
async function pythonReferenceRun(args, work, { small, square }) {
  const env = { ...process.env, OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' };
  const driver = [
    'import sys, time, json, torch',
    `sys.path.insert(0, ${JSON.stringify(path.dirname(pythonReference))})`,
    'import hed_reference as ref',
    'torch.set_num_threads(2)',
    'net = ref.load(sys.argv[1]); reps = int(sys.argv[2]); out = {}',
    'with torch.no_grad():',
    '  for key, f in (("small", sys.argv[3]), ("square", sys.argv[4])):',
    '    ref.edge_element(net, f)',
    '    t = time.perf_counter()',
    '    for _ in range(reps): ref.edge_element(net, f)',
    '    out[key] = (time.perf_counter() - t) * 1000 / reps',
    'print("BENCH " + json.dumps(out))',
  ].join('\n');
  const perElement = await new Promise((resolve) => {
    const p = spawn(PYTHON, ['-c', driver, args.weights, String(args.repeat), small, square], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      resolve(line ? JSON.parse(line.slice(6)) : { error: err.trim().split('\n').pop() });
    });
  });
  return { perElement, env };
}

/** The reference's whole run on the 4 inputs (what `backdrop edge` is compared with). */
function pythonWholeRun(args, work, env) {
  return measured(PYTHON, [pythonReference, 'run', args.weights, path.join(work, 'python-out'), ...EDGE_RUN_INPUTS.map((f) => path.join(args.inputs, f))], env);
}

/** Median wall time and highest peak RSS of repeated runs (undefined when any failed). */
function summarizeRuns(runs) {
  if (runs.length === 0 || runs.some((r) => r.code !== 0)) return { failed: runs.find((r) => r.code !== 0)?.failed ?? runs.find((r) => r.code !== 0)?.stderr.slice(-1)[0], runs };
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const rss = runs.map((r) => r.rssBytes).filter((b) => b !== undefined);
  return { ms: ms[Math.floor((ms.length - 1) / 2)], minMs: ms[0], maxMs: ms[ms.length - 1], rssBytes: rss.length ? Math.max(...rss) : undefined, summary: runs[0].summary, runs };
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  for (const r of rows) console.log(`  ${r.map((v, c) => (c === 0 ? String(v).padEnd(widths[c]) : String(v).padStart(widths[c]))).join('  ')}`);
}

async function main(args) {
  if (!existsSync(edgeDist)) {
    console.error('bench-edge: packages/edge/dist is missing; run `pnpm build` first.');
    process.exit(2);
  }
  if (!args.weights || !existsSync(args.weights)) {
    console.error('bench-edge: no full-size checkpoint: pass --weights <ControlNetHED.pth> or set BACKDROP_HED_WEIGHTS (../shared is absent).');
    process.exit(2);
  }
  const cli = cliEntry();
  const work = mkdtempSync(path.join(os.tmpdir(), 'bench-edge-'));
  try {
    const files = await prepareInputs(args, work);
    console.log(
      `bench-edge: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    console.log(`weights ${args.weights}; inputs 600×400 ${path.basename(files.small)}, 1024×1024 made from coffee-large.png; edge run: ${EDGE_RUN_INPUTS.join(', ')}`);
    const results = [];
    for (const engine of args.engines) {
      const r = await runChild(engine, args, files);
      console.log(r.error ? `  ${engine}: not available — ${r.error}` : `  ${r.info.summary}`);
      results.push(r);
    }
    const problem = args.skipPython ? 'skipped (--skip-python)' : pythonProblem();
    const py = problem ? undefined : await pythonReferenceRun(args, work, files);
    if (problem) console.log(`  python reference: ${problem}`);
    // Whole runs, alternating engines and the reference, so a slow spell of the machine hits all of them.
    const ok = results.filter((r) => !r.error);
    const edgeRuns = new Map(ok.map((r) => [r.engine, []]));
    const pyRuns = [];
    for (let round = 0; round < args.edgeRuns && cli && existsSync(cli); round++) {
      for (const r of ok) edgeRuns.get(r.engine).push(await edgeRun(r.engine, args, cli, work));
      if (py) pyRuns.push(await pythonWholeRun(args, work, py.env));
    }
    for (const r of ok) if (edgeRuns.get(r.engine).length) r.edgeRun = summarizeRuns(edgeRuns.get(r.engine));
    if (py) py.whole = summarizeRuns(pyRuns);

    const cols = [...ok.map((r) => r.engine), ...(py ? ['python (2 thr)'] : [])];
    const fmtMs = (ms) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(2)} s`);
    const rows = [['', ...cols]];
    rows.push(['600×400, s per element', ...ok.map((r) => fmtMs(r.small.ms)), ...(py ? [fmtMs(py.perElement.small)] : [])]);
    rows.push(['  of which network', ...ok.map((r) => fmtMs(r.small.networkMs)), ...(py ? [''] : [])]);
    rows.push(['1024×1024, s per element', ...ok.map((r) => fmtMs(r.square.ms)), ...(py ? [fmtMs(py.perElement.square)] : [])]);
    rows.push(['  of which network', ...ok.map((r) => fmtMs(r.square.networkMs)), ...(py ? [''] : [])]);
    const splits = [...new Set(ok.flatMap((r) => r.pools.map((p) => `${p.workers}×${p.threads}`)))];
    for (const s of splits) {
      rows.push([`pool ${s} (workers×threads), /min`, ...ok.map((r) => r.pools.find((p) => `${p.workers}×${p.threads}` === s)?.perMinute.toFixed(1) ?? '–'), ...(py ? [''] : [])]);
    }
    rows.push([`edge run, 4 inputs, wall (median of ${args.edgeRuns})`, ...ok.map((r) => fmtMs(r.edgeRun?.ms)), ...(py ? [fmtMs(py.whole.ms)] : [])]);
    const range = (x) => (x?.ms === undefined ? '–' : `${(x.minMs / 1000).toFixed(2)}–${(x.maxMs / 1000).toFixed(2)} s`);
    if (args.edgeRuns > 1) rows.push(['  range', ...ok.map((r) => range(r.edgeRun)), ...(py ? [range(py.whole)] : [])]);
    const rss = (x) => (x?.rssBytes === undefined ? '–' : `${mb(x.rssBytes).toFixed(0)} MB`);
    rows.push(['edge run, peak RSS (highest)', ...ok.map((r) => rss(r.edgeRun)), ...(py ? [rss(py.whole)] : [])]);
    if (py) {
      const ratio = (a, b) => (a === undefined || !b ? '–' : `${(a / b).toFixed(2)}×`);
      rows.push(['ratio 600×400 / python', ...ok.map((r) => ratio(r.small.ms, py.perElement.small)), '']);
      rows.push(['ratio 1024×1024 / python', ...ok.map((r) => ratio(r.square.ms, py.perElement.square)), '']);
      rows.push(['ratio edge run / python', ...ok.map((r) => ratio(r.edgeRun?.ms, py.whole.ms)), '']);
    }
    console.log('');
    table(rows);
    for (const r of ok) if (r.edgeRun?.failed) console.log(`  ${r.engine}: backdrop edge failed: ${r.edgeRun.failed}`);
    if (!cli || !existsSync(cli)) console.log('  (no CLI build found from package.json\'s "backdrop" script: edge runs skipped)');

    const best = ok.find((r) => r.engine === 'onnx') ?? ok[0];
    if (best) {
      const bestPool = Math.max(0, ...best.pools.map((p) => p.perMinute));
      const lines = [
        py && best.edgeRun?.ms !== undefined && py.whole.ms !== undefined
          ? `edge run ${(best.edgeRun.ms / py.whole.ms).toFixed(2)}× the reference (target ≤ ${TARGET.ratio}×)`
          : 'edge run vs reference: no reference here',
        best.pools.length ? `pool ${bestPool.toFixed(1)}/min (target ≥ ${TARGET.poolPerMinute})` : 'pool: skipped',
        best.edgeRun?.rssBytes !== undefined ? `peak RSS ${mb(best.edgeRun.rssBytes).toFixed(0)} MB (target ≤ ${TARGET.rssMb})` : 'peak RSS: unknown',
      ];
      console.log(`\ntargets (${best.engine}): ${lines.join('; ')}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.child) {
  try {
    await child(args);
  } catch (err) {
    const reason = err.cause instanceof Error ? err.cause.message : err.message; // the engine's own reason
    process.stdout.write(`BENCH ${JSON.stringify({ engine: args.child, error: `[${err.code ?? 'ERROR'}] ${reason.split('\n')[0]}` })}\n`);
  }
} else {
  await main(args);
}
