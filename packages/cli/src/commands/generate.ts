/**
 * `backdrop generate` — one product image: check the inputs, then a one-item run of the pipeline's
 * engine (upload, submit, wait with a visible status, download) with `result-<i>` (and `plain-<i>` when
 * titled) and `task.json` directly in `--out`.
 * `--json` prints one JSON object with the outcome on stdout and nothing else there.
 * The options are declared here; the run loads only when the command runs (`generate-run.ts`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { HedEngineChoice } from '@backdrop/edge';
import type { GenerateRequestArgs } from '../generate-inputs.js';
import { priceOptionDefinition } from '../price-option.js';
import { requestOptionDefinitions } from '../request-options.js';
import { withServiceOptions, type ServiceArgs } from '../service-options.js';

/** The parsed arguments of `backdrop generate`. */
export interface GenerateArgs extends GenerateRequestArgs, ServiceArgs {
  out: string;
  fit?: boolean;
  hed?: boolean;
  weights?: string;
  backend?: HedEngineChoice;
  overwrite?: boolean;
  json?: boolean;
  pricePerImage?: string;
  waitForLock?: boolean;
  dryRun?: boolean;
}

const REQUEST = 'Request:';

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  describe: 'Generate backgrounds for one product cut-out and download the results',
  builder: (yargs: Argv) =>
    withServiceOptions(
      yargs
        .options({
          base: { type: 'string', demandOption: true, group: REQUEST, describe: 'Product cut-out: RGBA PNG path or URL (long side ≤ 2048 px)' },
          ...requestOptionDefinitions(REQUEST),
          'fg-edge': { type: 'string', group: REQUEST, describe: 'Foreground edge element (RGBA PNG from `backdrop edge`); repeatable' },
          'fg-edge-prompt': { type: 'string', group: REQUEST, describe: 'Prompt for each --fg-edge, in order ("" for none); repeatable' },
          'bg-edge': { type: 'string', group: REQUEST, describe: 'Background edge element; repeatable' },
          'bg-edge-prompt': { type: 'string', group: REQUEST, describe: 'Prompt for each --bg-edge, in order; repeatable' },
          hed: { type: 'boolean', group: REQUEST, describe: 'The --fg-edge/--bg-edge files are decoration cut-outs: make their edge elements with HED first' },
          weights: { type: 'string', group: REQUEST, describe: 'With --hed: ControlNetHED checkpoint (default: BACKDROP_HED_WEIGHTS, the cache, then Hugging Face)' },
          backend: {
            choices: ['auto', 'onnx', 'node', 'wasm', 'cpu'] as const,
            group: REQUEST,
            describe: 'With --hed: HED engine, auto (onnx → node → wasm → cpu, the first that loads) or one of them (default: BACKDROP_HED_ENGINE, else auto)',
          },
          fit: { type: 'boolean', group: REQUEST, describe: 'Downscale a base image over 2048 px (long side) before upload' },
          out: { type: 'string', demandOption: true, describe: 'Folder for result-<i>.<ext>, plain-<i>.<ext> and task.json' },
          overwrite: { type: 'boolean', describe: 'Replace the results of an earlier run in --out' },
          json: { type: 'boolean', describe: 'Print one JSON object with the outcome on stdout' },
          'dry-run': {
            type: 'boolean',
            describe: 'Check everything (and make HED edge elements), print what would be sent and the images that would be billed; upload and submit nothing',
          },
          'wait-for-lock': { type: 'boolean', describe: 'Wait while another backdrop run works on --out (default: exit 2)' },
          ...priceOptionDefinition,
        })
        .example('$0 generate --base cup.png --prompt "on a wooden table" -n 2 --out out/cup', 'Two images of cup.png on a wooden table, saved in out/cup')
        .example('$0 generate --emulator --base examples/cutouts/cup.png --prompt "sunny garden" --out out/try', 'Offline, against an in-process emulator')
        .example(
          '$0 generate --dry-run --base cup.png --prompt "on a wooden table" -n 2 --out out/cup',
          'Check everything and show what would be sent (nothing uploaded, nothing billed)',
        ),
    ),
  handler: async (args) => {
    const { runGenerateCommand } = await import('./generate-run.js');
    await runGenerateCommand(args);
  },
};
