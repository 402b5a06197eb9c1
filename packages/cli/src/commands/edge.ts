/**
 * `backdrop edge <input…> --out <dir>` — makes HED soft-edge edge elements locally (the seed's recipe:
 * controlnet-aux softedge_hed on the RGB, resized back, original alpha kept) and writes
 * `<dir>/<input name>.png` for each input, atomically. By default (`planHedWorkers`) onnx runs one network
 * on every core, on a thread of its own, with two inputs in flight; TensorFlow.js engines a pool with one
 * worker per core. `--concurrency N` asks for N workers. The options are declared here; the work,
 * and `@backdrop/edge`, load only when the command runs (`edge-run.ts`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('input', { type: 'string', array: true, describe: 'Cut-out images (PNG with alpha; JPEG/WebP are treated as opaque)' })
    .options({
      out: { type: 'string', demandOption: true, describe: 'Folder for <input name>.png' },
      weights: { type: 'string', describe: 'ControlNetHED checkpoint (.pth/.safetensors); default: BACKDROP_HED_WEIGHTS, the cache, then Hugging Face' },
      mode: {
        choices: ['softedge', 'softedge-safe', 'scribble', 'scribble-safe'] as const,
        default: 'softedge' as const,
        describe: 'Edge style (softedge = controlnet-aux softedge_hed)',
      },
      'detect-resolution': { type: 'number', default: 512, describe: 'Short side the network sees (multiple of 64 after rounding)' },
      'image-resolution': { type: 'number', default: 512, describe: 'Short side of the map before it is resized back to the input size' },
      backend: {
        choices: ['auto', 'onnx', 'node', 'wasm', 'cpu'] as const,
        describe: 'HED engine: auto (onnx → node → wasm → cpu, the first that loads) or one of them (default: BACKDROP_HED_ENGINE, else auto)',
      },
      concurrency: { type: 'number', describe: 'Worker threads for several inputs (default: onnx one network on every core, TensorFlow.js one worker per core)' },
    })
    .example('$0 edge cutouts/*.png --out edges/', 'One edge element per cut-out in edges/');

/** The parsed arguments of `backdrop edge`. */
export type EdgeArgs = BuilderArgs<typeof builder>;

export const edgeCommand: CommandModule<object, EdgeArgs> = {
  command: 'edge <input..>',
  describe: 'Make HED soft-edge edge elements (RGBA PNGs) from cut-outs, locally',
  builder,
  handler: async (args) => {
    const { makeEdgeElements } = await import('./edge-run.js');
    await makeEdgeElements(args);
  },
};
