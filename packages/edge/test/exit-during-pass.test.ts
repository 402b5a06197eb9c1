/**
 * A process that exits while an onnx forward pass runs on a worker thread (the network's own thread, or a
 * pool worker) exits with its own code. Stopping a thread inside onnxruntime-node's native run aborts the
 * whole process ("terminate called after throwing an instance of 'Napi::Error'", exit 134), so the exit
 * waits for the pass to end. Real child processes, the built package, the full-size checkpoint so that a
 * pass lasts long enough to be caught inside it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOnnxRuntime } from '../src/engines/onnx/load-onnxruntime.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const weights = path.resolve(repoRoot, '..', 'shared', 'hed-golden', 'weights', 'hed-random-seed1-fp16.pth');
const edgeDist = pathToFileURL(path.resolve(here, '..', 'dist', 'index.js')).href;

const ortProblem = await loadOnnxRuntime().then(
  () => undefined,
  (err: Error) => err.message,
);
const problem = ortProblem ? `onnxruntime-node cannot run here (${ortProblem})` : !existsSync(weights) ? `${weights} is absent` : undefined;
if (problem) console.log(`exit-during-pass: skipped — ${problem}`);

/**
 * Child: encodes a 768×512 cut-out (the network's own size at detection 512, so the steps before the
 * network are a few milliseconds), starts its edge element (about 2 s of CPU with the full-size checkpoint),
 * waits until the process has spent 0.3 s of CPU since — the main thread only awaits, so that is the network
 * running — then exits with code 3 by `how`.
 */
function childScript(runner: 'loadHed' | 'pool', how: 'exit' | 'throw'): string {
  return `
    const edge = await import(${JSON.stringify(edgeDist)});
    const opts = { weights: ${JSON.stringify(weights)}, backend: 'onnx', download: false };
    const hed = ${runner === 'pool' ? 'await edge.createHedPool({ ...opts, size: 1 })' : 'await edge.loadHed(opts)'};
    const [width, height] = [768, 512];
    const rgba = new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 2654435761) >>> 24));
    const png = await edge.encodeRgbaPng({ data: rgba, width, height, channels: 4 });
    const before = process.cpuUsage();
    void hed.edgeElement(png, { detectResolution: 512 }).catch(() => {});
    for (;;) {
      await new Promise((r) => setTimeout(r, 10));
      const used = process.cpuUsage(before);
      if (used.user + used.system > 300_000) break;
    }
    process.stdout.write('inside the pass\\n');
    ${how === 'exit' ? 'process.exit(3);' : "process.exitCode = 3; throw new Error('boom');"}
  `;
}

describe.skipIf(problem !== undefined)('exiting while a forward pass runs on another thread', () => {
  for (const runner of ['loadHed', 'pool'] as const) {
    for (const how of ['exit', 'throw'] as const) {
      it(`${runner}: process ${how === 'exit' ? 'exit(3)' : 'dying of an uncaught error'} keeps its exit code and prints no native abort`, () => {
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', childScript(runner, how)], { encoding: 'utf8', timeout: 120_000 });
        expect(child.stdout, child.stderr).toContain('inside the pass');
        expect(child.stderr).not.toMatch(/terminate called|Napi::Error/);
        expect(child.signal).toBeNull();
        expect(child.status).toBe(how === 'exit' ? 3 : 1);
      });
    }
  }
});
