/**
 * What `backdrop generate` does once its arguments are parsed (`generate.ts`): checks the inputs and
 * `--out`, prepares local inputs (HED edge elements, `--fit`, 8-bit RGBA), then runs the one-item
 * generation (or, with `--dry-run`, describes what it would send) and reports the outcome — as one JSON
 * object on stdout with `--json`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { asServiceCallError, CliError } from '../cli-errors.js';
import { formatError, exitCodeFor } from '../report-error.js';
import { openClient } from '../dashscope-client.js';
import { acquireOutputLock, openHedEdgeMaker } from '@backdrop/pipeline';
import { checkGenerateInputs, itemFromArgs, prepareLocalInputs } from '../generate-inputs.js';
import { describeHedWeights } from '../hed-weights-note.js';
import { dryRunItem, formatDryRun } from '../dry-run.js';
import { runGeneration } from '../generation-run.js';
import { Interrupt } from '../interrupt.js';
import { checkEarlierRun, removeStaleFiles } from '../output-folder.js';
import { billedLine, priceFromArgs } from '../billed-line.js';
import { connectService } from '../service-connection.js';
import { summariseTask } from '../task-report.js';
import type { GenerateArgs } from './generate.js';

/** Runs `backdrop generate`: one product, one task. */
export async function runGenerateCommand(args: ArgumentsCamelCase<GenerateArgs>): Promise<void> {
  const outDir = path.resolve(args.out);
  const json = args.json === true;
  const interrupt = new Interrupt();
  let taskId: string | undefined;
  let outLock: { release(): void } | undefined;
  try {
    const fit = args.fit === true;
    const price = priceFromArgs(args);
    if (args.weights !== undefined && args.hed !== true) process.stderr.write('backdrop: warning: --weights is only used with --hed; ignored.\n');
    let item = itemFromArgs(args, { hed: args.hed === true });
    const warnings = await checkGenerateInputs(item, { fit });
    for (const warning of warnings) process.stderr.write(`backdrop: ${warning}\n`);
    const convertBase = warnings.some((w) => w.includes('to 8-bit RGBA before upload')); // said by the warning above
    const earlier = await checkEarlierRun(outDir, args.overwrite === true); // before any HED work or upload
    // One run at a time on --out (its working files live in <out>/.backdrop, under this lock).
    await mkdir(outDir, { recursive: true });
    outLock = await acquireOutputLock(outDir, { ...(args.waitForLock === true ? { wait: true } : {}), signal: interrupt.signal });
    const cutouts = [...(item.foreground ?? []), ...(item.background ?? [])].filter((e) => 'cutout' in e).length;
    if (args.dryRun === true) {
      const hed =
        cutouts > 0
          ? await openHedEdgeMaker({ ...(args.weights ? { weights: args.weights } : {}), onLoaded: (w, p) => process.stderr.write(`${describeHedWeights(w, p)}\n`) })
          : undefined;
      try {
        const planned = await dryRunItem(item, { stateDir: path.join(outDir, '.backdrop'), fit, ...(hed ? { edges: hed } : {}) });
        if (json) process.stdout.write(JSON.stringify({ ok: true, dryRun: true, outDir, ...planned, imagesBilled: planned.images }) + '\n');
        else process.stdout.write(formatDryRun([planned]));
      } finally {
        await hed?.close();
      }
      return;
    }
    if (fit || cutouts > 0 || convertBase) {
      const hed =
        cutouts > 0
          ? await openHedEdgeMaker({
              ...(args.weights ? { weights: args.weights } : {}),
              backend: args.backend,
              onLoaded: (w, p, engine) => process.stderr.write(`${describeHedWeights(w, p)}\n${engine.summary}\n`),
            })
          : undefined;
      try {
        if (cutouts > 0) process.stderr.write(`making ${cutouts} edge element${cutouts === 1 ? '' : 's'} with HED…\n`);
        const prepared = await prepareLocalInputs(item, { fit, stateDir: path.join(outDir, '.backdrop'), ...(hed ? { edges: hed } : {}) });
        if (path.basename(path.dirname(prepared.base)) === 'fitted-rgba8')
          process.stderr.write(`--fit: the base image is over 2048 px; using a downscaled copy (${prepared.base}).\n`);
        item = prepared;
      } finally {
        await hed?.close();
      }
    }
    await mkdir(outDir, { recursive: true });
    const connection = await connectService(args, { emulatorOptions: { taskMs: [800, 1600] } });
    try {
      const outcome = await runGeneration(openClient(connection), item, {
        outDir,
        apiKey: connection.apiKeys[0],
        baseUrl: connection.baseUrl,
        progress: process.stderr,
        interrupt,
        ...(connection.workspace ? { workspace: connection.workspace } : {}),
        inProcessEmulator: connection.emulator !== undefined,
        onSubmitted: (id) => (taskId = id),
      });
      await removeStaleFiles(outDir, earlier, [...outcome.files.map((f) => f.name), 'task.json']);
      const files = outcome.files.map((f) => ({ ...f, path: path.join(outDir, f.name) }));
      if (json) {
        process.stdout.write(
          JSON.stringify({
            ok: true,
            taskId,
            outDir,
            taskJson: outcome.recordFile,
            files,
            ...(outcome.missing.length > 0 ? { missing: outcome.missing } : {}),
            task: summariseTask(outcome.task),
            imagesBilled: outcome.task.usage?.imageCount ?? 0,
            ...(price ? { cost: { amount: (outcome.task.usage?.imageCount ?? 0) * price.amount, currency: price.currency } } : {}),
          }) + '\n',
        );
      } else {
        process.stdout.write(`task ${taskId} SUCCEEDED: ${files.length} file${files.length === 1 ? '' : 's'} in ${outDir}\n`);
        for (const f of files) process.stdout.write(`  ${f.path}\n`);
        process.stdout.write(`  ${outcome.recordFile}\n`);
        process.stdout.write(`${billedLine(outcome.task.usage?.imageCount ?? 0, price)}\n`);
      }
      if (outcome.missing.length > 0) {
        // Exit 1: fewer images than asked. The ones made are kept (and paid for); nothing is submitted again.
        const asked = outcome.task.results?.length ?? outcome.missing.length;
        const what = `${outcome.missing.length} of ${asked} images missing: the task SUCCEEDED but the service did not make ${outcome.missing.map((m) => `result-${m.index} (${m.code})`).join(', ')}; the others are in ${outDir}`;
        if (json) process.exitCode = 1;
        else throw new CliError('ImagesMissing', what);
      }
    } finally {
      await connection.close();
    }
  } catch (caught) {
    const err = asServiceCallError(caught);
    if (json) {
      const e = err as { code?: unknown; message?: unknown; taskId?: unknown };
      const id = taskId ?? (typeof e.taskId === 'string' ? e.taskId : undefined);
      process.stdout.write(
        JSON.stringify({
          ok: false,
          ...(id ? { taskId: id } : {}),
          outDir,
          exitCode: exitCodeFor(err),
          error: { code: typeof e.code === 'string' ? e.code : 'Error', message: formatError(err).replace(/^backdrop: (\[[^\]]*\] )?/, '') },
        }) + '\n',
      );
    }
    throw err;
  } finally {
    outLock?.release();
    interrupt.dispose();
  }
}
