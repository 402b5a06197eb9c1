/**
 * `backdrop batch <manifest.jsonl | folder> --out <dir>` — generates backgrounds for a whole catalogue:
 * validates everything first (exit 2 with every problem and its line), then streams the items through
 * HED, upload, submit, poll and download at each API key's full speed, journalled in `<out>/.backdrop/`
 * so that running the same command again resumes. Exit 0 when every item succeeded, 1 when some failed.
 */
import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { validateBackgroundGenerationRequest } from '@backdrop/api';
import type { BuilderArgs } from '../command-args.js';
import { describeHedWeights } from '../hed-weights-note.js';
import { dryRunItem, formatDryRun, type DryRunItem } from '../dry-run.js';
import {
  ContactSheet,
  openHedEdgeMaker,
  runBatch,
  type BatchSummary,
  InvalidBatchInputError,
  formatProblem,
  type ItemDefaults,
  openBatchSource,
  validateBatchInput,
} from '@backdrop/pipeline';
import { BatchProgress } from '../progress/batch-progress.js';
import { CliError } from '../cli-errors.js';
import { Interrupt, InterruptedError } from '../interrupt.js';
import { parseIntegerIn, parseNumberIn } from '../option-parsers.js';
import { checkOutputFolder } from '../output-folder.js';
import { billedLine, priceFromArgs, priceOptionDefinition } from '../price-option.js';
import { requestFieldsFrom, requestOptionDefinitions, type RequestFlagArgs } from '../request-options.js';
import { connectService, serviceOptionDefinitions } from '../service-options.js';

/**
 * Options every item gets unless its manifest line says otherwise. The numbers are range-checked
 * here, once, rather than reported again for every item that takes them.
 */
export function defaultsFrom(args: RequestFlagArgs): ItemDefaults {
  const d = requestFieldsFrom(args);
  if (d.n !== undefined) d.n = parseIntegerIn('n', d.n, 1, 4);
  if (d.noiseLevel !== undefined) d.noiseLevel = parseIntegerIn('noise-level', d.noiseLevel, 0, 999);
  if (d.refPromptWeight !== undefined) d.refPromptWeight = parseNumberIn('ref-prompt-weight', d.refPromptWeight, 0, 1);
  return d;
}

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

type BatchArgs = BuilderArgs<typeof builder>;

export const batchCommand: CommandModule<object, BatchArgs> = {
  command: 'batch <input>',
  describe: 'Generate backgrounds for a manifest (.jsonl) or a folder of cut-outs; resumable',
  builder,
  handler: async (args) => {
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
  },
};

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
