/**
 * What `backdrop report` does once its arguments are parsed (`report.ts`): checks that the folder holds a
 * batch run and rebuilds its contact sheet with the pipeline's report builder.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { buildContactSheet } from '@backdrop/pipeline';
import { CliUsageError } from '../cli-errors.js';
import { billedLine, priceFromArgs } from '../billed-line.js';
import type { ReportArgs } from './report.js';

/** Rebuilds `<out>/index.html` from the run's files. */
export async function rebuildContactSheet(args: ArgumentsCamelCase<ReportArgs>): Promise<void> {
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
}
