#!/usr/bin/env node
/**
 * `pnpm bench:edge-steps` — the JavaScript steps around the HED network, each timed on its own on realistic
 * sizes: decode (sharp + Pillow rules), resize for detection (Lanczos4 / INTER_AREA), combine of five
 * projection maps, Pillow BICUBIC resize back plus alpha, PNG encode. The network is not run: the
 * projections are made from the resized image (see projectionsFor).
 * Prints the median ms per step and input over `--repeat` runs (default 30, after 3 warm-up runs).
 *
 * `--baseline <dir>`: another build of packages/edge timed in the same process, interleaved run by run, its
 * outputs checked byte for byte against this build's (the PNG by its decoded pixels: its bytes may differ). Copy
 * `dist/` before a change to a folder under packages/edge, where its imports (sharp, @backdrop/api) resolve:
 * `cp -r packages/edge/dist packages/edge/node_modules/.dist-before`.
 * Options: --inputs <dir> (default ../shared/hed-golden/inputs), --repeat N, --warmup N.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sharp from 'sharp';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '..', 'shared');

function parseArgs(argv) {
  const args = { inputs: path.join(shared, 'hed-golden', 'inputs'), repeat: 30, warmup: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--baseline') args.baseline = path.resolve(next());
    else if (a === '--inputs') args.inputs = next();
    else if (a === '--repeat') args.repeat = Number(next());
    else if (a === '--warmup') args.warmup = Number(next());
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

/** The step functions of one build of packages/edge (internal modules, by file). */
async function loadBuild(dist) {
  const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
  const [decode, channels, resize, combine, pillow, encode] = await Promise.all([
    load('image/decode-rgba.js'),
    load('image/channels.js'),
    load('resize/resize-image.js'),
    load('hed/combine-projections.js'),
    load('resize/pillow-bicubic.js'),
    load('image/encode-png.js'),
  ]);
  return {
    decode: (file) => decode.decodeRgba(file),
    resize: (image) => resize.resizeImageForDetection(channels.rgbFromRgba(image), 512),
    combine: (projections) => combine.combineProjections(projections, { safe: false }),
    resizeBack: (map, image) => channels.withAlpha(pillow.resizeBicubicPillowU8(map, image.width, image.height), image),
    encode: (rgba) => encode.encodeRgbaPng(rgba),
  };
}

/**
 * Stand-in projection maps of the sizes the network returns for the resized image: its grey values, sampled
 * every 2^k pixels and scaled around 0, so that the edge map (and so the PNG) is image-like, not noise.
 */
function projectionsFor(resized) {
  const { width, height, data } = resized;
  const maps = [];
  for (let k = 0; k < 5; k++) {
    const step = 2 ** k;
    const w = Math.ceil(width / step);
    const h = Math.ceil(height / step);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (y * step * width + x * step) * 3;
        out[y * w + x] = (data[p] * 0.299 + data[p + 1] * 0.587 + data[p + 2] * 0.114 - 128) / 24;
      }
    }
    maps.push({ data: out, width: w, height: h, channels: 1 });
  }
  return maps;
}

/** A 1024×1024 RGBA input (element-cat-on-canvas scaled up), written once to the system temp folder. */
async function squareInput(inputs) {
  const file = path.join(os.tmpdir(), 'backdrop-bench-1024.png');
  if (!existsSync(file)) await sharp(path.join(inputs, 'element-cat-on-canvas.png')).resize(1024, 1024).png().toFile(file);
  return file;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One pass of every step; returns ms per step and the outputs. */
async function runSteps(build, file) {
  const ms = {};
  let t = performance.now();
  const lap = (key) => {
    const now = performance.now();
    ms[key] = now - t;
    t = now;
  };
  const image = await build.decode(file);
  lap('decode');
  const resized = build.resize(image);
  lap('resize');
  const projections = projectionsFor(resized);
  t = performance.now();
  const map = build.combine(projections);
  lap('combine');
  const rgba = build.resizeBack(map, image);
  lap('resizeBack');
  const png = await build.encode(rgba);
  lap('encode');
  return { ms, outputs: { decode: image.data, resize: resized.data, combine: map.data, resizeBack: rgba.data, png } };
}

const STEPS = ['decode', 'resize', 'combine', 'resizeBack', 'encode'];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const builds = [['current', await loadBuild(path.join(repoRoot, 'packages', 'edge', 'dist'))]];
  if (args.baseline) builds.unshift(['baseline', await loadBuild(args.baseline)]);
  const files = ['coffee.png', 'motorcycle.png', 'logo.png', 'logo-512x700.png'].map((f) => path.join(args.inputs, f));
  files.push(await squareInput(args.inputs));
  console.log(`median ms per step over ${args.repeat} runs (after ${args.warmup} warm-up runs), node ${process.version}`);
  const header = `${'input'.padEnd(26)} ${'build'.padEnd(9)} ${STEPS.map((s) => s.padStart(10)).join(' ')} ${'total'.padStart(8)}  png bytes`;
  console.log(header);
  for (const file of files) {
    const times = new Map(builds.map(([name]) => [name, Object.fromEntries(STEPS.map((s) => [s, []]))]));
    const sizes = new Map();
    let mismatch = '';
    for (let run = 0; run < args.warmup + args.repeat; run++) {
      const outputs = [];
      // Alternate which build goes first, so that neither always inherits the other's garbage.
      for (const [name, build] of run % 2 ? [...builds].reverse() : builds) {
        const { ms, outputs: out } = await runSteps(build, file);
        outputs[builds.findIndex(([n]) => n === name)] = out;
        sizes.set(name, out.png.length);
        if (run >= args.warmup) for (const s of STEPS) times.get(name)[s].push(ms[s]);
      }
      if (outputs.length === 2 && run === 0) {
        for (const key of ['decode', 'resize', 'combine', 'resizeBack']) if (!sameBytes(outputs[0][key], outputs[1][key])) mismatch ||= key;
        const [a, b] = await Promise.all(outputs.map((o) => sharp(o.png).raw().toBuffer()));
        if (!sameBytes(a, b)) mismatch ||= 'encode (decoded pixels)';
      }
    }
    for (const [name] of builds) {
      const m = STEPS.map((s) => median(times.get(name)[s]));
      const total = m.reduce((a, b) => a + b, 0);
      console.log(`${path.basename(file).padEnd(26)} ${name.padEnd(9)} ${m.map((v) => v.toFixed(1).padStart(10)).join(' ')} ${total.toFixed(1).padStart(8)}  ${sizes.get(name)}`);
    }
    if (mismatch) console.log(`  OUTPUT MISMATCH: ${mismatch} differs between baseline and current`);
  }
}

await main();
