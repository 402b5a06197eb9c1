/**
 * `backdrop report <out>` — rebuilds a batch run's contact sheet, `<out>/index.html`, from what the
 * output folder holds (results.jsonl, task.json files, the journal); thumbnails already made are reused.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { buildContactSheet } from '@backdrop/pipeline';
import { CliUsageError } from '../cli-errors.js';
import { billedLine, priceFromArgs, priceOptionDefinition } from '../price-option.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('out', { type: 'string', demandOption: true, describe: 'Output folder of `backdrop batch`' })
    .options({ ...priceOptionDefinition })
    .example('$0 report out/demo --price-per-image "0.08 CNY"', 'Rebuild out/demo/index.html with costs');

type ReportArgs = BuilderArgs<typeof builder>;

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report <out>',
  describe: "Rebuild a batch run's contact sheet (<out>/index.html)",
  builder,
  handler: async (args) => {
    const price = priceFromArgs(args);
    const out = path.resolve(args.out);
    const isRun = await stat(path.join(out, '.backdrop', 'journal.jsonl')).then(
      () => true,
      () => false,
    );
    const hasResults = await stat(path.join(out, 'results.jsonl')).then(
      () => true,
      () => false,
    );
    if (!isRun && !hasResults) {
      throw new CliUsageError('REPORT_NOT_A_RUN', `${args.out} holds no batch run (no results.jsonl or .backdrop/journal.jsonl); give the --out folder of \`backdrop batch\``);
    }
    const written = await buildContactSheet(out, price ? { price } : {});
    const t = written.totals;
    process.stderr.write(`report: ${t.items} items: ${t.succeeded} succeeded, ${t.failed} failed; ${billedLine(t.billed, price)}\n`);
    process.stdout.write(`${written.file}\n`);
  },
};
