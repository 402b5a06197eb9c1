/**
 * The end of an item's life in a run: its task's final status journalled, its images delivered
 * (downloaded, `task.json` written, journalled done), or its failure or interruption recorded.
 */
import { toWireRequest, type BackgroundGenerationRequest, type Task } from '@backdrop/api';
import { errorFacts } from '../batch-client.js';
import { ResultExpiredError } from '../errors.js';
import type { BatchItem } from '../item.js';
import type { JournalFile } from '../journal/journal-entry.js';
import { recordedFiles, TaskRecordFile, type RecordedUpload, type TaskRecord } from '../output/task-record.js';
import { downloadFiles, downloadPlan, DownloadError, missingResults } from '../stages/download.js';
import { ItemFailure, itemDir, signalOption, type EngineContext, type Timings } from './engine-context.js';

/** Result URLs and finished tasks live 24 h at the service. */
const RESULT_LIFETIME_MS = 24 * 3600_000;

/** Journals a task's final status (with its result URLs). */
export function journalFinal(ctx: EngineContext, id: string, task: Task): void {
  const missing = task.taskStatus === 'SUCCEEDED' ? missingResults(task.results ?? [], task.textResults?.urls ?? []) : [];
  ctx.journal.append({
    e: 'task-final',
    id,
    taskId: task.taskId,
    status: task.taskStatus,
    results: (task.results ?? []).map((r) => r.url ?? ''),
    plain: (task.textResults?.urls ?? []).map((r) => r.url ?? ''),
    ...(missing.length > 0 ? { missing } : {}),
    ...(task.usage !== undefined ? { usage: task.usage } : {}),
    ...(task.code ? { code: task.code } : {}),
    ...(task.message ? { message: task.message } : {}),
    t: ctx.clock.now(),
  });
}

/** What a succeeded task left to deliver. */
interface Deliverable {
  taskId: string;
  results: string[];
  plain: string[];
  endedAt: number;
  /** The task as read in this run (absent when resuming from the journal). */
  task?: Task;
  /** The submit of this run, for `task.json`. */
  submit?: { request: BackgroundGenerationRequest; submitRequestId: string | undefined };
  /** The local inputs uploaded (or taken from the upload cache) for the submit of this run. */
  uploads?: RecordedUpload[];
  /** Fingerprint of the key the task was submitted with, when known. */
  account?: string;
}

/** Tool name in a batch's `task.json`. */
const BATCH_TOOL = '@backdrop/pipeline batch';

function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** Downloads a succeeded task's images and writes `task.json`; ResultExpired when too old. */
export async function deliver(ctx: EngineContext, item: BatchItem, line: number, d: Deliverable, timings: Timings): Promise<void> {
  const dir = itemDir(ctx.settings, item.id);
  const rec = ctx.journal.record(item.id);
  if (ctx.clock.now() - d.endedAt > RESULT_LIFETIME_MS - 60_000) {
    throw new ResultExpiredError(item.id, d.taskId, `the task ended ${new Date(d.endedAt).toISOString()}, result URLs live 24 h`);
  }
  ctx.emit({ type: 'stage', id: item.id, stage: 'download' });
  let files: JournalFile[];
  const plan = downloadPlan(d.results, d.plain);
  try {
    files = await downloadFiles(dir, plan, { ...signalOption(ctx), clock: ctx.clock });
  } catch (err) {
    if (err instanceof DownloadError && (err.httpStatus === 403 || err.httpStatus === 404) && !d.task) {
      throw new ResultExpiredError(item.id, d.taskId, `the result URL answers HTTP ${err.httpStatus}`);
    }
    throw err;
  }
  timings.downloadedAt = ctx.clock.now();
  ctx.journal.append({ e: 'download-done', id: item.id, taskId: d.taskId, files, t: ctx.clock.now() });
  const record: TaskRecord = {
    tool: ctx.settings.tool ?? BATCH_TOOL,
    id: item.id,
    attempts: rec?.attempts ?? 1,
    model: ctx.settings.model,
    ...(d.account ? { account: d.account } : {}),
    state: 'SUCCEEDED',
    taskId: d.taskId,
    taskStatus: 'SUCCEEDED',
    ...(d.submit ? { request: toWireRequest(d.submit.request) } : {}),
    uploads: d.uploads ?? [],
    requestIds: { ...(d.submit?.submitRequestId ? { submit: d.submit.submitRequestId } : {}), ...(d.task?.requestId ? { lastQuery: d.task.requestId } : {}) },
    ...(d.task ? { response: d.task.raw, usage: d.task.usage } : {}),
    files: recordedFiles(plan, files),
    notes: [
      ...(ctx.notes.get(item.id) ?? []),
      ...(ctx.possibleDuplicates.has(item.id) ? ['A submit of this item may have created a second task that could not be identified (possible duplicate charge).'] : []),
    ],
    timings: {
      startedAt: iso(timings.preparedAt ?? d.endedAt) as string,
      ...(timings.submitStartedAt !== undefined ? { submitStartedAt: iso(timings.submitStartedAt) } : {}),
      ...(timings.submittedAt !== undefined ? { submittedAt: iso(timings.submittedAt) } : {}),
      finishedAt: iso(d.endedAt),
      downloadedAt: iso(timings.downloadedAt),
      ...(timings.submittedAt !== undefined ? { waitMs: d.endedAt - timings.submittedAt } : {}),
    },
  };
  await new TaskRecordFile(dir, record).save();
  ctx.journal.append({ e: 'item-done', id: item.id, status: 'succeeded', taskId: d.taskId, t: ctx.clock.now() });
  // Images the task did not make: kept out of the files, reported with the service's code (from the task
  // read in this run, else from the journal's task-final entry). Not retried: the good ones are paid for.
  const journaled = rec?.final?.taskId === d.taskId ? rec.final.missing : undefined;
  const missing = (d.task ? missingResults(d.task.results ?? [], []) : (journaled ?? missingResults(d.results, [])).filter((m) => m.kind === 'result')).map(
    ({ index, code, message }) => ({ index, code, message }),
  );
  ctx.results.images += files.length;
  ctx.results.finish(line, {
    id: item.id,
    status: 'succeeded',
    taskId: d.taskId,
    files: files.map((f) => f.name),
    attempts: rec?.attempts ?? 1,
    resumed: false,
    ...(ctx.possibleDuplicates.has(item.id) ? { possibleDuplicate: true } : {}),
    ...usageOf(d.task ? d.task.usage : rec?.final?.usage),
    ...(missing.length > 0 ? { missing } : {}),
  });
}

/** `{ usage }` for an item result when the task output reported usage (images billed). */
export function usageOf(usage: unknown): { usage?: { imageCount?: number } } {
  return usage && typeof usage === 'object' ? { usage: usage } : {};
}

/** Records an item that failed (journalled), or was interrupted by the run's stop (not journalled: it resumes). */
export function failItem(ctx: EngineContext, item: BatchItem, line: number, err: unknown): void {
  const rec = ctx.journal.record(item.id);
  if (ctx.signal?.aborted) {
    const inFlight = rec?.task?.taskId;
    ctx.results.finish(line, {
      id: item.id,
      status: 'interrupted',
      ...(inFlight ? { taskId: inFlight } : {}),
      files: [],
      attempts: rec?.attempts ?? 0,
      resumed: false,
      error: { code: 'Interrupted', message: `the run was stopped${inFlight ? ` while task ${inFlight} was at the service` : ''}; run the same command again to resume` },
    });
    return;
  }
  const f = err instanceof ItemFailure ? { code: err.code, message: err.message } : errorFacts(err);
  const taskId = rec?.final?.taskId ?? rec?.task?.taskId;
  ctx.journal.append({ e: 'item-done', id: item.id, status: 'failed', ...(taskId ? { taskId } : {}), code: f.code, message: f.message, t: ctx.clock.now() });
  ctx.results.finish(line, {
    id: item.id,
    status: 'failed',
    ...(taskId ? { taskId } : {}),
    files: [],
    attempts: rec?.attempts ?? 0,
    resumed: false,
    error: { code: f.code, message: f.message },
    ...(ctx.possibleDuplicates.has(item.id) ? { possibleDuplicate: true } : {}),
  });
}
