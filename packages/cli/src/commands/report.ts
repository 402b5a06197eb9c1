/**
 * `backdrop report <out>` — rebuilds a batch run's contact sheet, `<out>/index.html`, from what the
 * output folder holds (results.jsonl, task.json files, the journal); thumbnails already made are reused.
 * The options are declared here; the report builder loads only when the command runs (`report-run.ts`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { priceOptionDefinition } from '../price-option.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('out', { type: 'string', demandOption: true, describe: 'Output folder of `backdrop batch`' })
    .options({ ...priceOptionDefinition })
    .example('$0 report out/demo --price-per-image "0.08 CNY"', 'Rebuild out/demo/index.html with costs');

/** The parsed arguments of `backdrop report`. */
export type ReportArgs = BuilderArgs<typeof builder>;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <out>',
  describe: "Rebuild a batch run's contact sheet (<out>/index.html)",
  builder,
  handler: async (args) => {
    const { rebuildContactSheet } = await import('./report-run.js');
    await rebuildContactSheet(args);
  },
};
