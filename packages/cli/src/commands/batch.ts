/**
 * `backdrop batch <manifest.jsonl | folder> --out <dir>` — generates backgrounds for a whole catalogue:
 * validates everything first (exit 2 with every problem and its line), then streams the items through
 * HED, upload, submit, poll and download at each API key's full speed, journalled in `<out>/.backdrop/`
 * so that running the same command again resumes. Exit 0 when every item succeeded, 1 when some failed.
 * The options are declared here; the run, and the pipeline, load only when the command runs (`batch-run.ts`).
 */
import os from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { priceOptionDefinition } from '../price-option.js';
import { requestOptionDefinitions } from '../request-options.js';
import { serviceOptionDefinitions } from '../service-options.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('input', { type: 'string', demandOption: true, describe: 'Manifest (.jsonl, one item a line) or a folder of RGBA PNG cut-outs' })
    .options({
      out: { type: 'string', demandOption: true, describe: 'Output folder (<out>/<id>/result-<i>.png, results.jsonl; journal in <out>/.backdrop)' },
      weights: { type: 'string', describe: 'HED checkpoint for cut-out elements (default: BACKDROP_HED_WEIGHTS, cache, Hugging Face)' },
      ...requestOptionDefinitions('Item defaults:'),
      fit: { type: 'boolean', default: false, describe: 'Downscale base images over 2048 px instead of rejecting them' },
      'max-qps': { type: 'number', default: 2, describe: 'Submits per second per key', group: 'Limits:' },
      'max-running': { type: 'number', default: 1, describe: 'Running tasks per key', group: 'Limits:' },
      'max-queries': { type: 'number', default: 20, describe: 'Task queries per second per key', group: 'Limits:' },
      retries: { type: 'number', default: 2, describe: 'Extra attempts for a FAILED task (moderation/invalid input are not retried)', group: 'Limits:' },
      lookahead: { type: 'number', describe: 'Items prepared and uploaded ahead of the task slot (default 3 per key, min 4)', group: 'Limits:' },
      backend: {
        choices: ['auto', 'onnx', 'node', 'wasm', 'cpu'] as const,
        describe: 'HED engine: auto (onnx → node → wasm → cpu, the first that loads) or one of them (default: BACKDROP_HED_ENGINE, else auto)',
      },
      'hed-workers': { type: 'number', default: os.availableParallelism(), describe: 'HED worker threads for cut-out elements (default: one per core)' },
      'dry-run': {
        type: 'boolean',
        describe: 'Check every item (and make HED edge elements), print what each would send and the images that would be billed; upload and submit nothing',
      },
      'wait-for-lock': { type: 'boolean', default: false, describe: 'Wait while another backdrop process uses the same key or the same --out folder (default: exit 2)' },
      'regenerate-expired': {
        type: 'boolean',
        describe:
          'On resume, generate anew (new, paid tasks) items whose earlier results expired, instead of reporting them (default: on with --emulator, whose tasks do not outlive the run)',
      },
      ...priceOptionDefinition,
      ...serviceOptionDefinitions({ multipleKeys: true }),
    })
    .example('$0 batch examples/manifest.jsonl --out out/batch --emulator --weights examples/weights/hed-demo-tiny.pth', 'Try it offline')
    .example('$0 batch cutouts/ --prompt "on a marble counter" -n 2 --out out/', 'Every PNG in cutouts/ with one prompt')
    .example('$0 batch cutouts/ --prompt "on a marble counter" --out out/ --dry-run', 'Check every item and show what would be sent and billed (nothing uploaded)');

/** The parsed arguments of `backdrop batch`. */
export type BatchArgs = BuilderArgs<typeof builder>;

export const batchCommand: CommandModule<object, BatchArgs> = {
  command: 'batch <input>',
  describe: 'Generate backgrounds for a manifest (.jsonl) or a folder of cut-outs; resumable',
  builder,
  handler: async (args) => {
    const { runBatchCommand } = await import('./batch-run.js');
    await runBatchCommand(args);
  },
};
