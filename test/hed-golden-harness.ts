/**
 * Shared by the HED golden tests: reads `cases.json` (from ../shared/hed-golden, or the tiny subset in
 * test/fixtures/hed when ../shared is absent), runs each case through the public `@backdrop/edge` API
 * (one loaded network per weights file), and compares decoded pixels with the tolerance of the case.
 * The cases are split over two test files so vitest's two forks share the work, and run on every engine of
 * `HED_GOLDEN_ENGINES` (default `onnx,wasm`); an engine that cannot run here is skipped with its reason.
 * TensorFlow.js keeps one backend per process, so one test file runs at most one of node/wasm/cpu.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRgba, loadHed, parseEngineChoice, type EdgeMode, type Hed, type HedEngineName } from '../packages/edge/src/index.js';
import { loadOnnxRuntime } from '../packages/edge/src/engines/onnx/load-onnxruntime.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sharedGolden = path.resolve(repoRoot, '..', 'shared', 'hed-golden');
const fixtureGolden = path.join(repoRoot, 'test', 'fixtures', 'hed');

interface Tolerance {
  exact_pixel_fraction_min: number;
  max_abs_diff: number;
  alpha: 'exact';
}

interface GoldenCase {
  name: string;
  weights: string;
  input: string;
  expected: string;
  options: { mode?: EdgeMode; detectResolution?: number; imageResolution?: number };
  tolerance?: Tolerance;
}

interface CasesFile {
  tolerance: Tolerance;
  cases: GoldenCase[];
}

/** Pixel comparison of an output with its expected image. */
export interface Comparison {
  exactFraction: number;
  maxDiff: number;
  alphaMismatches: number;
  pixels: number;
}

/** Compares two RGBA images: R,G,B-exact pixel fraction, largest channel difference, alpha mismatches. */
export function compareRgba(got: Uint8Array, want: Uint8Array): Comparison {
  const pixels = want.length / 4;
  let exact = 0;
  let maxDiff = 0;
  let alphaMismatches = 0;
  for (let i = 0; i < want.length; i += 4) {
    const dr = Math.abs(got[i] - want[i]);
    const dg = Math.abs(got[i + 1] - want[i + 1]);
    const db = Math.abs(got[i + 2] - want[i + 2]);
    if (dr === 0 && dg === 0 && db === 0) exact++;
    maxDiff = Math.max(maxDiff, dr, dg, db);
    if (got[i + 3] !== want[i + 3]) alphaMismatches++;
  }
  return { exactFraction: exact / pixels, maxDiff, alphaMismatches, pixels };
}

/**
 * A forward pass of the full-size network at 512 takes ~1 s on onnx and ~7–10 s on one wasm thread on a
 * quiet 2-core machine — and 10–60× that when the cores are shared with other work (seen: 600 s for one
 * wasm case at load 20); detect1024 has four times the pixels.
 */
function timeoutFor(c: GoldenCase, engine: HedEngineName): number {
  const res = Math.max(c.options.detectResolution ?? 512, c.options.imageResolution ?? 512);
  return (engine === 'onnx' ? 300_000 : 900_000) * Math.ceil((res / 512) ** 2);
}

/** Which cases a test file runs. */
export type GoldenPart = 'full' | 'other';

/** The engines to check (`HED_GOLDEN_ENGINES`, default onnx and wasm), each with the reason it cannot run here. */
async function goldenEngines(): Promise<{ engine: HedEngineName; skip?: string }[]> {
  const names = (process.env.HED_GOLDEN_ENGINES ?? 'onnx,wasm')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let tfjs: string | undefined;
  const out: { engine: HedEngineName; skip?: string }[] = [];
  for (const name of names) {
    const engine = parseEngineChoice(name, 'HED_GOLDEN_ENGINES');
    if (engine === 'auto') throw new Error('HED_GOLDEN_ENGINES names engines (onnx, node, wasm, cpu), not auto');
    if (engine === 'onnx') {
      const problem = await loadOnnxRuntime().then(
        () => undefined,
        (err: Error) => err.message.split('\n')[0],
      );
      out.push({ engine, skip: problem && `onnxruntime-node cannot run here (${problem})` });
    } else if (tfjs) {
      out.push({ engine, skip: `TensorFlow.js runs one backend per process and this file already runs ${tfjs}; run it with HED_GOLDEN_ENGINES=${engine}` });
    } else {
      tfjs = engine;
      out.push({ engine });
    }
  }
  return out;
}

/**
 * Declares one `it` per golden case of `part` (`full`: the full-size checkpoint's softedge cases at
 * 512; `other`: tiny, tiny-legacy, safe, scribble, detect1024) and prints a table at the end.
 */
export async function describeGoldenCases(part: GoldenPart): Promise<void> {
  for (const { engine, skip } of await goldenEngines()) describeGoldenCasesOn(part, engine, skip);
}

function describeGoldenCasesOn(part: GoldenPart, engine: HedEngineName, skip: string | undefined): void {
  // HED_GOLDEN_FIXTURES_ONLY=1 runs the copied subset even where ../shared exists (to check that path).
  const haveShared = process.env.HED_GOLDEN_FIXTURES_ONLY !== '1' && existsSync(path.join(sharedGolden, 'cases.json'));
  const root = haveShared ? sharedGolden : fixtureGolden;
  if (!haveShared) {
    console.log(`hed-golden (${part}): ${sharedGolden} (../shared) is absent or HED_GOLDEN_FIXTURES_ONLY=1 — running only the tiny cases copied to test/fixtures/hed`);
  }
  const file = JSON.parse(readFileSync(path.join(root, 'cases.json'), 'utf8')) as CasesFile;
  const cases = file.cases.filter((c) => (part === 'full') === c.name.startsWith('full/'));
  const loaded = new Map<string, Promise<Hed>>();
  const rows: string[] = [];

  const hedFor = (weights: string): Promise<Hed> => {
    let hed = loaded.get(weights);
    if (!hed) {
      hed = loadHed({ weights: path.join(root, weights), download: false, backend: engine });
      loaded.set(weights, hed);
    }
    return hed;
  };

  if (skip) console.log(`hed-golden (${part}, ${engine}): skipped — ${skip}`);
  describe.skipIf(skip !== undefined)(`HED golden cases (${part}) on ${engine} from ${path.relative(repoRoot, root) || root}`, () => {
    afterAll(async () => {
      console.log(`hed-golden (${part}, ${engine}):\n  ${'case'.padEnd(30)} ${'exact %'.padStart(9)}  max diff  alpha diffs  seconds\n  ${rows.join('\n  ')}`);
      for (const hed of loaded.values()) (await hed.catch(() => undefined))?.dispose();
    });

    if (cases.length === 0) {
      console.log(`hed-golden (${part}): skipped — these cases need ../shared/hed-golden (the full-size checkpoint and inputs)`);
      it.skip(`${part} cases (need ../shared/hed-golden)`, () => {});
    }

    for (const c of cases) {
      it(
        c.name,
        async () => {
          const tolerance = c.tolerance ?? file.tolerance;
          const hed = await hedFor(c.weights);
          const started = performance.now();
          const png = await hed.edgeElement(path.join(root, c.input), { ...c.options });
          const seconds = (performance.now() - started) / 1000;
          const got = await decodeRgba(png);
          const want = await decodeRgba(path.join(root, c.expected));
          expect([got.width, got.height]).toEqual([want.width, want.height]);
          const cmp = compareRgba(got.data, want.data);
          rows.push(
            `${c.name.padEnd(30)} ${(cmp.exactFraction * 100).toFixed(4).padStart(9)}  ${String(cmp.maxDiff).padStart(8)}  ${String(cmp.alphaMismatches).padStart(11)}  ${seconds.toFixed(1).padStart(7)}`,
          );
          expect(cmp.alphaMismatches, 'pixels whose alpha differs').toBe(0);
          expect(cmp.exactFraction, 'fraction of pixels with R,G,B exact').toBeGreaterThanOrEqual(tolerance.exact_pixel_fraction_min);
          expect(cmp.maxDiff, 'largest per-channel difference').toBeLessThanOrEqual(tolerance.max_abs_diff);
        },
        timeoutFor(c, engine),
      );
    }
  });
}
