/**
 * What `backdrop batch` does once its arguments are parsed (`batch.ts`): validates the manifest or
 * folder, opens HED for cut-out elements, then runs the pipeline's batch engine (or, with `--dry-run`,
 * describes what it would send) with a live progress display, and writes the run's contact sheet.
 */
import path from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { validateBackgroundGenerationRequest } from '@backdrop/api';
import { describeHedWeights } from '../hed-weights-note.js';
import { dryRunItem, formatDryRun, type DryRunItem } from '../dry-run.js';
import { ContactSheet, openHedEdgeMaker, runBatch, type BatchSummary, InvalidBatchInputError, formatProblem, openBatchSource, validateBatchInput } from '@backdrop/pipeline';
import { BatchProgress } from '../progress/batch-progress.js';
import { CliError } from '../cli-errors.js';
import { Interrupt, InterruptedError } from '../interrupt.js';
import { parseIntegerIn, parseNumberIn } from '../option-parsers.js';
import { checkOutputFolder } from '../output-folder.js';
import { billedLine, priceFromArgs } from '../billed-line.js';
import { defaultsFrom } from '../request-fields.js';
import { connectService } from '../service-connection.js';
import type { BatchArgs } from './batch.js';

/** Runs `backdrop batch`: every item of the manifest or folder, resumably. */
export async function runBatchCommand(args: ArgumentsCamelCase<BatchArgs>): Promise<void> {
  const retries = parseIntegerIn('retries', args.retries, 0, 20);
  const price = priceFromArgs(args);
  await checkOutputFolder(args.out);
  const source = await openBatchSource(args.input, defaultsFrom(args));
  const report = await validateBatchInput(source, { fit: args.fit, validateRequest: (r) => validateBackgroundGenerationRequest(r) });
  for (const w of report.warnings) process.stderr.write(`warning: ${formatProblem(source.label, w)}\n`);
  if (report.problems.length > 0) throw new InvalidBatchInputError(source.label, report.problems);

  const progress = new BatchProgress(process.stderr, report.items, { maxRunningPerKey: args.maxRunning });
  const hed =
    report.cutouts > 0
      ? await openHedEdgeMaker({
          ...(args.weights ? { weights: args.weights } : {}),
          workers: parseIntegerIn('hed-workers', args.hedWorkers, 1, 64),
          backend: args.backend,
          onLoaded: (w, p, engine) => {
            progress.note(describeHedWeights(w, p));
            progress.note(engine.summary);
          },
        })
      : undefined;
  if (args.dryRun === true) {
    try {
      const planned: DryRunItem[] = [];
      for await (const entry of source.entries()) {
        if (entry.item) planned.push(await dryRunItem(entry.item, { stateDir: path.join(path.resolve(args.out), '.backdrop'), fit: args.fit, ...(hed ? { edges: hed } : {}) }));
      }
      process.stdout.write(formatDryRun(planned));
    } finally {
      progress.end(undefined);
      await hed?.close();
    }
    return;
  }
  const connection = await connectService(args, { multipleKeys: true });
  if (connection.emulator) progress.note(`service: in-process emulator at ${connection.baseUrl} (no real tasks, no charges)`);
  const interrupt = new Interrupt();
  const sheet = new ContactSheet(args.out, { ...(price ? { price } : {}), ...(hed ? { edgeCacheKey: hed.cacheKey } : {}) });
  let summary: BatchSummary | undefined;
  try {
    const events = runBatch(sheet.observe(source), {
      out: args.out,
      apiKeys: connection.apiKeys,
      baseUrl: connection.baseUrl,
      ...(connection.workspace ? { workspace: connection.workspace } : {}),
      maxQps: parseNumberIn('max-qps', args.maxQps, 0.1, 1000),
      maxRunning: parseIntegerIn('max-running', args.maxRunning, 1, 1000),
      maxQueriesPerSecond: parseNumberIn('max-queries', args.maxQueries, 1, 10000),
      retries,
      ...(args.lookahead !== undefined ? { lookahead: parseIntegerIn('lookahead', args.lookahead, 1, 10000) } : {}),
      fit: args.fit,
      // The in-process emulator starts empty: tasks of an earlier run are unknown to it, and free to redo.
      regenerateExpired: args.regenerateExpired ?? connection.emulator !== undefined,
      serviceForgetsBetweenRuns: connection.emulator !== undefined,
      ...(hed ? { edges: hed } : {}),
      // Each --emulator run has its own private emulator: no key is shared, so no per-key lock.
      lock: connection.emulator ? false : { wait: args.waitForLock },
      signal: interrupt.signal,
    });
    for await (const e of events) {
      sheet.onEvent(e);
      if (e.type === 'summary') summary = e.summary;
      else progress.onEvent(e);
    }
  } finally {
    progress.end(summary);
    await writeContactSheet(sheet, summary, price);
    interrupt.dispose();
    await hed?.close();
    await connection.close();
  }
  if (!summary) return;
  if (summary.interrupted > 0) {
    throw new InterruptedError(`stopped with ${summary.interrupted} item(s) unfinished; run the same command again to resume`);
  }
  if (summary.missingImages > 0) {
    process.stderr.write(
      `batch: ${summary.missingImages} image(s) missing: their tasks succeeded with fewer images than asked (see "missing" in ${summary.resultsFile}); the images made are kept and were not generated again\n`,
    );
  }
  if (summary.failed > 0) {
    throw new CliError('BATCH_ITEMS_FAILED', `${summary.failed} of ${summary.total} items failed; see ${summary.resultsFile} (run the same command again to retry them)`);
  }
  if (summary.missingImages > 0) {
    throw new CliError(
      'BATCH_IMAGES_MISSING',
      `${summary.missingImages} image(s) missing (the service made fewer than asked); see "missing" in ${summary.resultsFile}. Running the same command again does not pay for them again: give those items new ids to generate them anew`,
    );
  }
}

/** The last write of the run's contact sheet, and its lines in the summary (a failure to write it is a warning). */
async function writeContactSheet(sheet: ContactSheet, summary: BatchSummary | undefined, price: ReturnType<typeof priceFromArgs>): Promise<void> {
  try {
    const written = await sheet.close(summary);
    if (!summary) return;
    process.stderr.write(`batch: ${billedLine(written.totals.billed, price, written.totals.billedThisRun)}\n`);
    process.stderr.write(`batch: contact sheet: ${written.file}\n`);
  } catch (err) {
    process.stderr.write(`batch: warning: could not write the contact sheet ${sheet.file}: ${(err as Error).message}\n`);
  }
}
