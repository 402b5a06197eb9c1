/**
 * One `backdrop generate` run: a one-item run of the pipeline's engine (`runBatch` with the flat layout:
 * files directly in `--out`, the journal in `<out>/.backdrop/`), so upload, submit safety, reconciliation
 * of a lost submit reply, polling and download are the engine's. This module turns the run's events into
 * generate's terminal output (notes, the task's status line) and its outcome, and handles Ctrl-C: a
 * PENDING task is cancelled once the run has stopped (and that is said), a RUNNING one is left to finish
 * and its id printed for `backdrop status`.
 */
import path from 'node:path';
import { BACKGROUND_GENERATION_MODEL, TaskCanceledError, TaskFailedError, TaskUnknownError, type DashScope, type Task } from '@backdrop/api';
import { localFilesOf, runBatch, TaskRecordFile, type BatchItem, type EdgeMaker, type ItemResult, type RecordedFile, type TaskRecord } from '@backdrop/pipeline';
import { CliError } from './cli-errors.js';
import { InterruptedError, type Interrupt } from './interrupt.js';
import { resultFileCount } from './result-files.js';
import { StatusLine, type StatusStream } from './status-line.js';
import { backdropVersion } from './version.js';

/** What a successful run produced. */
export interface GenerationOutcome {
  taskId: string;
  /** Images the SUCCEEDED task did not make (kept out of `files`), with the service's code. */
  missing: { index: number; code: string; message: string }[];
  task: Task;
  files: RecordedFile[];
  recordFile: string;
}

/** Settings of a run. */
export interface GenerationRunOptions {
  outDir: string;
  /** The API key, base URL and workspace of the service. */
  apiKey: string;
  baseUrl: string;
  workspace?: string;
  /** Where progress goes (stderr): notes, then the task's status line. */
  progress: StatusStream;
  interrupt: Interrupt;
  /** Makes edge elements from cut-outs (when the item still has any). */
  edges?: EdgeMaker;
  /** True when the service is an in-process emulator that stops with this command. */
  inProcessEmulator?: boolean;
  /** Called as soon as the task exists. */
  onSubmitted?: (taskId: string) => void;
}

/** What the run's events told about the item. */
interface Seen {
  taskId?: string;
  final?: Task;
  result?: ItemResult;
}

/**
 * Runs `item` through the engine into `options.outDir`; `client` is used only to cancel a PENDING task
 * after Ctrl-C. Throws the error that says how the run ended when it did not succeed.
 */
export async function runGeneration(client: DashScope, item: BatchItem, options: GenerationRunOptions): Promise<GenerationOutcome> {
  const note = (message: string): void => void options.progress.write(`${message}\n`);
  const t0 = new Date();
  const seen: Seen = {};
  let status: StatusLine | undefined;
  const locals = new Set(localFilesOf(item).map((f) => f.path)).size;
  const events = runBatch([item], {
    out: options.outDir,
    apiKeys: [options.apiKey],
    baseUrl: options.baseUrl,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    layout: 'flat',
    tool: `backdrop generate ${backdropVersion}`,
    fresh: true,
    retries: 0,
    resubmitUnidentified: false,
    // generate holds the output folder's lock itself (taken before its own HED and --fit work).
    lock: false,
    ...(options.edges ? { edges: options.edges } : {}),
    signal: options.interrupt.signal,
  });
  try {
    for await (const e of events) {
      if (e.type === 'stage' && e.stage === 'upload' && locals > 0) note(`uploading ${locals} file${locals === 1 ? '' : 's'}…`);
      else if (e.type === 'submitted') {
        seen.taskId = e.taskId;
        options.onSubmitted?.(e.taskId);
        note(`submitted task ${e.taskId}`);
        status = new StatusLine(options.progress, `task ${e.taskId}`);
        if (e.status) status.update(e.status); // the submit reply's status (PENDING), shown until the first change
      } else if (e.type === 'task-status') status?.update(e.status);
      else if (e.type === 'task-final') {
        seen.final = e.task;
        status?.done();
      } else if (e.type === 'stage' && e.stage === 'download') {
        const count = seen.final ? resultFileCount(seen.final) : 0;
        note(`downloading ${count} image${count === 1 ? '' : 's'}…`);
      } else if (e.type === 'warning') note(`backdrop: warning: ${e.message}`);
      else if (e.type === 'note') note(e.message);
      else if (e.type === 'item-done') seen.result = e.result;
    }
  } finally {
    status?.done();
  }
  const result = seen.result;
  if (result?.status === 'succeeded' && result.taskId && seen.final) return succeeded(options.outDir, result, seen.final);
  throw await failed(client, seen, t0, options);
}

async function succeeded(outDir: string, result: ItemResult, task: Task): Promise<GenerationOutcome> {
  const recordFile = await TaskRecordFile.load(outDir);
  const files = recordFile?.record.files ?? [];
  const missing = result.missing ?? [];
  if (files.length === 0) {
    throw new CliError('NoResults', `Task ${result.taskId} SUCCEEDED but returned no images (task_metrics: ${JSON.stringify(task.taskMetrics ?? {})}); submit it again.`);
  }
  if (recordFile && missing.length > 0) {
    recordFile.record.notes.push(
      `${missing.length} of ${task.results?.length} images failed on the service (no URL): ${missing.map((m) => `result-${m.index}: ${m.code}`).join(', ')}. Not generated again (the images made are paid for).`,
    );
    await recordFile.save();
  }
  return { taskId: result.taskId as string, task, files, recordFile: recordFile?.file ?? path.join(outDir, 'task.json'), missing };
}

/**
 * A run that did not succeed: writes `task.json` when a task exists (or a lost submit left notes), and
 * returns the error to report — after Ctrl-C, having cancelled the task if it was still PENDING.
 */
async function failed(client: DashScope, seen: Seen, t0: Date, options: GenerationRunOptions): Promise<Error> {
  const { result, final } = seen;
  const taskId = seen.taskId ?? result?.taskId;
  const recordFile = new TaskRecordFile(options.outDir, freshRecord(client, taskId, t0, options));
  const record = recordFile.record;
  if (final) {
    record.taskStatus = final.taskStatus;
    record.response = final.raw;
    record.requestIds.lastQuery = final.requestId;
  }
  const error = result?.error ?? { code: 'Error', message: 'the run ended without a result' };
  let err: Error;
  if (options.interrupt.interrupted) {
    record.state = 'interrupted';
    err = taskId
      ? await stopWaiting(client, taskId, record, options)
      : new InterruptedError(
          'Interrupted before a task was created; nothing was submitted (or the submit was cut short: check `backdrop status` or the console task list before submitting again).',
        );
  } else if (final && final.taskStatus === 'FAILED') err = new TaskFailedError(final);
  else if (final && final.taskStatus === 'CANCELED') err = new TaskCanceledError(final);
  else if (final && final.taskStatus === 'UNKNOWN') err = new TaskUnknownError(final);
  else if (error.code === 'SubmitUnknown') {
    // The message names the candidate tasks and how to fetch them.
    record.notes.push(error.message);
    err = new CliError('SubmitUnknown', error.message);
  } else
    err = new CliError(
      error.code,
      taskId && final?.taskStatus === 'SUCCEEDED'
        ? `${error.message}. Task ${taskId} SUCCEEDED; \`backdrop status ${taskId} --download ${options.outDir}\` fetches its images while they last (24 h after the task ended).`
        : error.message,
    );
  if (!options.interrupt.interrupted) record.state = final ? final.taskStatus : error.code === 'SubmitUnknown' ? 'unknown' : 'error';
  record.error = { code: (err as { code?: string }).code ?? error.code, message: err.message };
  record.timings.totalMs = Date.now() - t0.getTime();
  // Failures before any task can exist leave no task.json (there is nothing to find again).
  if (taskId !== undefined || record.notes.length > 0) await recordFile.save();
  return err;
}

function freshRecord(client: DashScope, taskId: string | undefined, t0: Date, options: GenerationRunOptions): TaskRecord {
  return {
    tool: `backdrop generate ${backdropVersion}`,
    model: BACKGROUND_GENERATION_MODEL,
    account: client.keyFingerprint,
    baseUrl: options.baseUrl,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    state: 'error',
    ...(taskId ? { taskId } : {}),
    uploads: [],
    requestIds: {},
    files: [],
    notes: [],
    timings: { startedAt: t0.toISOString() },
  };
}

/**
 * After Ctrl-C (the run has stopped): cancel the task if it is still PENDING, otherwise leave it alone.
 * Returns the error that says which happened.
 */
async function stopWaiting(client: DashScope, taskId: string, record: TaskRecord, options: GenerationRunOptions): Promise<InterruptedError> {
  const emulatorNote = options.inProcessEmulator ? ' (The in-process emulator stops with this command, and its tasks with it.)' : '';
  let current: Task | undefined;
  try {
    current = await client.tasks.get(taskId, { maxRetries: 1, timeoutMs: 10_000 });
    record.taskStatus = current.taskStatus;
    record.requestIds.lastQuery = current.requestId;
    record.response = current.raw;
  } catch {
    /* reported below as "could not be checked" */
  }
  if (current?.taskStatus === 'PENDING') {
    try {
      const cancel = await client.tasks.cancel(taskId, { maxRetries: 1, timeoutMs: 10_000 });
      record.requestIds.cancel = cancel.requestId;
      record.taskStatus = 'CANCELED';
      record.notes.push('Cancelled on Ctrl-C while still PENDING.');
      return new InterruptedError(`Interrupted; task ${taskId} was still PENDING, so it was cancelled (nothing generated, nothing billed).${emulatorNote}`);
    } catch {
      /* it started in the meantime: fall through */
    }
  }
  const state = current ? `is ${current.taskStatus === 'PENDING' ? 'RUNNING' : current.taskStatus}` : 'could not be checked';
  const message =
    `Interrupted; task ${taskId} ${state} and was left alone (only PENDING tasks can be cancelled). ` +
    `See it with \`backdrop status ${taskId}\`, and once it has SUCCEEDED fetch its images (kept 24 h) with ` +
    `\`backdrop status ${taskId} --download ${options.outDir}\`.${emulatorNote}`;
  record.notes.push('Stopped waiting on Ctrl-C; the task was not cancelled.');
  return new InterruptedError(message);
}
