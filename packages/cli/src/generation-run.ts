/**
 * One `backdrop generate` run against the service: upload the local inputs, submit once, wait with a
 * visible status, download the results right away (their URLs live 24 h), and keep `task.json`
 * up to date at every step (the submit is recorded before it is sent; a lost reply is reconciled through
 * the task list like batch's, never resubmitted). Ctrl-C while waiting never loses the task: a PENDING task is cancelled
 * (and that is said), a RUNNING one is left to finish and its id printed for `backdrop status`.
 */
import { BACKGROUND_GENERATION_MODEL, TaskCanceledError, TaskFailedError, TaskUnknownError, toWireRequest, type DashScope, type Task, type UploadedFile } from '@backdrop/api';
import { findUnclaimedTask, localFilesOf, missingResults, submitWantOf, type BatchItem, buildRequest, type ResolvedUrls, type TaskRecord } from '@backdrop/pipeline';

/** What a found task must look like to be this run's (see `@backdrop/pipeline`'s task-fit). */
type SubmitWant = NonNullable<Awaited<ReturnType<typeof submitWantOf>>>;
import { CliError } from './cli-errors.js';
import { InterruptedError, type Interrupt } from './interrupt.js';
import { downloadTaskResults, missingResultCount, resultFileCount } from './result-files.js';
import { StatusLine, type StatusStream } from './status-line.js';
import { TaskRecordFile, type RecordedFile } from '@backdrop/pipeline';
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
  /** Where progress goes (stderr): notes, then the task's status line. */
  progress: StatusStream;
  interrupt: Interrupt;
  workspace?: string;
  /** True when the service is an in-process emulator that stops with this command. */
  inProcessEmulator?: boolean;
  /** Called as soon as the task exists. */
  onSubmitted?: (taskId: string) => void;
}

function errorFields(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : 'Error', message: typeof e?.message === 'string' ? e.message : String(err) };
}

/** Runs upload → submit → wait → download for `item`, writing into `options.outDir`. */
export async function runGeneration(client: DashScope, item: BatchItem, options: GenerationRunOptions): Promise<GenerationOutcome> {
  const { interrupt } = options;
  const note = (message: string): void => void options.progress.write(`${message}\n`);
  const t0 = Date.now();
  const recordFile = new TaskRecordFile(options.outDir, {
    tool: `backdrop generate ${backdropVersion}`,
    model: BACKGROUND_GENERATION_MODEL,
    account: client.keyFingerprint,
    baseUrl: client.baseUrl,
    ...(options.workspace ? { workspace: options.workspace } : {}),
    state: 'uploading',
    taskId: undefined,
    taskStatus: undefined,
    request: undefined,
    uploads: [],
    requestIds: {},
    response: undefined,
    files: [],
    notes: [],
    timings: { startedAt: new Date(t0).toISOString() },
  });
  const record = recordFile.record;
  // Failures before any task can exist leave no task.json (there is nothing to find again).
  const fail = async (err: unknown, state = 'error'): Promise<never> => {
    record.state = state;
    record.error = errorFields(err);
    record.timings.totalMs = Date.now() - t0;
    if (record.taskId !== undefined || record.notes.length > 0) await recordFile.save();
    throw err;
  };

  // 1. Upload the local inputs (each file once); URLs are used as they are.
  const urls: ResolvedUrls = { base: item.base };
  if (item.ref !== undefined) urls.ref = item.ref;
  for (const side of ['foreground', 'background'] as const) {
    (item[side] ?? []).forEach((el, i) => (urls[`${side}[${i}]`] = 'edge' in el ? el.edge : el.cutout));
  }
  const locals = localFilesOf(item);
  if (locals.length > 0) note(`uploading ${locals.length} file${locals.length === 1 ? '' : 's'}…`);
  try {
    const byPath = new Map<string, Promise<UploadedFile>>();
    for (const { path } of locals) {
      if (!byPath.has(path)) byPath.set(path, client.files.upload(path, { signal: interrupt.signal }));
    }
    const uploads = await Promise.all(locals.map((local) => byPath.get(local.path)!));
    locals.forEach((local, i) => {
      const up = uploads[i];
      urls[local.field.replace(/\.(edge|cutout)$/, '')] = up.url;
      record.uploads.push({
        field: local.field,
        path: local.path,
        url: up.url,
        bytes: up.bytes,
        sha256: up.sha256,
        expiresAt: up.expiresAt.toISOString(),
      });
    });
  } catch (err) {
    if (interrupt.interrupted) {
      await fail(new InterruptedError('Interrupted while uploading; nothing was submitted.'), 'interrupted');
    }
    await fail(err);
  }
  record.timings.uploadMs = Date.now() - t0;

  // 2. Submit once (not abortable: an abort mid-request could leave a task we know nothing about). The
  // attempt is recorded in task.json before the request leaves, so a crash or a lost reply leaves a trace.
  const request = buildRequest(item, urls);
  record.request = toWireRequest(request);
  const want = await submitWantOf(item.n, [{ field: 'base', ...(isLocal(item.base) ? { file: item.base, sha256: '' } : { url: item.base }) }]);
  const submitStartedAt = Date.now();
  record.state = 'submitting';
  record.timings.submitStartedAt = new Date(submitStartedAt).toISOString();
  await recordFile.save();
  let taskId: string;
  try {
    const submit = await client.backgroundGeneration.submit(request);
    taskId = submit.taskId;
    record.taskId = taskId;
    record.taskStatus = submit.taskStatus;
    record.requestIds.submit = submit.requestId;
  } catch (err) {
    const e = err as { mayHaveCreatedTask?: boolean };
    if (!e.mayHaveCreatedTask) {
      record.notes.push(`The submit was refused (${errorFields(err).code}); no task was created, nothing billed.`);
      return fail(err);
    }
    // The service may have created (and will bill) the task: find it in the task list, as batch does.
    note('the submit reply was lost; looking for the task it may have created…');
    taskId = await reconcileLostSubmit(client, submitStartedAt, want, err, { outDir: options.outDir, signal: interrupt.signal, record, fail });
    record.taskId = taskId;
    record.notes.push(`The submit's reply was lost; task ${taskId} was found in the task list (it fits the request: image count and size) and adopted — no second task.`);
  }
  options.onSubmitted?.(taskId);
  record.state = 'submitted';
  record.timings.submittedAt = new Date().toISOString();
  await recordFile.save();
  note(`submitted task ${taskId}`);
  const status = new StatusLine(options.progress, `task ${taskId}`);

  // 3. Wait, showing the status.
  const waitStart = Date.now();
  let task: Task;
  try {
    task = await client.tasks.wait(taskId, {
      signal: interrupt.signal,
      throwOnFailure: false,
      onStatus: (t) => {
        status.update(t.taskStatus);
        record.taskStatus = t.taskStatus;
        record.requestIds.lastQuery = t.requestId;
      },
    });
  } catch (err) {
    status.done();
    if (interrupt.interrupted) return fail(await stopWaiting(client, taskId, recordFile, options), 'interrupted');
    record.notes.push(`Stopped waiting; the task may still finish. Check it with \`backdrop status ${taskId}\`.`);
    return fail(err);
  }
  status.done();
  record.timings.waitMs = Date.now() - waitStart;
  record.timings.finishedAt = new Date().toISOString();
  record.taskStatus = task.taskStatus;
  record.requestIds.lastQuery = task.requestId;
  record.response = task.raw;
  record.state = task.taskStatus;
  if (task.taskStatus === 'FAILED') return fail(new TaskFailedError(task), task.taskStatus);
  if (task.taskStatus === 'CANCELED') return fail(new TaskCanceledError(task), task.taskStatus);
  if (task.taskStatus === 'UNKNOWN') return fail(new TaskUnknownError(task), task.taskStatus);
  await recordFile.save();

  // 4. Download right away: result URLs expire after 24 h.
  const missing = missingResultCount(task);
  const missingList = missingResults(task.results ?? []).map(({ index, code, message }) => ({ index, code, message }));
  if (missing > 0)
    record.notes.push(
      `${missing} of ${task.results?.length} images failed on the service (no URL): ${missingList.map((m) => `result-${m.index}: ${m.code}`).join(', ')}. Not generated again (the images made are paid for).`,
    );
  if (missing === (task.results?.length ?? 0)) {
    return fail(new CliError('NoResults', `Task ${taskId} SUCCEEDED but returned no images (task_metrics: ${JSON.stringify(task.taskMetrics ?? {})}); submit it again.`));
  }
  const count = resultFileCount(task);
  const downloadStart = Date.now();
  note(`downloading ${count} image${count === 1 ? '' : 's'}…`);
  const fetchLater = `\`backdrop status ${taskId} --download ${options.outDir}\` fetches them while they last (24 h after the task ended)`;
  try {
    record.files = await downloadTaskResults(task, options.outDir, interrupt.signal);
  } catch (err) {
    record.notes.push(`Results not all downloaded; ${fetchLater}.`);
    if (interrupt.interrupted) {
      return fail(new InterruptedError(`Interrupted while downloading; task ${taskId} SUCCEEDED: ${fetchLater}.`), 'interrupted');
    }
    const e = err as { code?: unknown; message?: unknown };
    return fail(
      new CliError(typeof e.code === 'string' ? e.code : 'DownloadFailed', `${typeof e.message === 'string' ? e.message : String(err)}. Task ${taskId} SUCCEEDED; ${fetchLater}.`, {
        cause: err,
      }),
    );
  }
  const now = Date.now();
  record.timings.downloadMs = now - downloadStart;
  record.timings.downloadedAt = new Date(now).toISOString();
  record.timings.totalMs = now - t0;
  await recordFile.save();
  return { taskId, task, files: record.files, recordFile: recordFile.file, missing: missingList };
}

/** True for a local file path (not an http(s)/oss URL). */
function isLocal(ref: string): boolean {
  return !/^(https?|oss):\/\//i.test(ref);
}

/**
 * A submit whose reply was lost: looks for the task it created with the task list (the shared
 * reconciliation of batch: a safe ±14 h reading, adopted only when the task fits the request). Returns the
 * adopted task id; otherwise fails the run naming the candidate tasks and how to fetch them — never submits again.
 */
async function reconcileLostSubmit(
  client: DashScope,
  startedAt: number,
  want: SubmitWant | undefined,
  cause: unknown,
  ctx: { outDir: string; signal: AbortSignal; record: TaskRecord; fail: (err: unknown, state?: string) => Promise<never> },
): Promise<string> {
  await new Promise((r) => setTimeout(r, 1000));
  const found = await findUnclaimedTask(client, BACKGROUND_GENERATION_MODEL, startedAt, new Set(), Date.now(), { ...(want ? { want } : {}), signal: ctx.signal });
  if (found.found === 'one') return found.taskId;
  const { code, message } = errorFields(cause);
  if (found.found === 'none') {
    ctx.record.notes.push(`The submit failed (${code}) and the task list shows no task created by it: nothing was billed.`);
    return ctx.fail(new CliError(code, `${message} — the task list shows that no task was created (nothing billed); run the command again.`, { cause }));
  }
  const ids = found.found === 'ambiguous' ? found.taskIds : [];
  const fetch = ids.map((id) => `\`backdrop status ${id} --download ${ctx.outDir}\``).join(' or ');
  const what =
    found.found === 'ambiguous'
      ? `it may have created one of tasks ${ids.join(', ')}, which cannot be told apart from other tasks on the account; check them and fetch yours with ${fetch}`
      : `the task list could not be read (${found.reason}); look for the task in the Model Studio console task list before submitting again`;
  ctx.record.notes.push(`The submit's reply was lost (${code}); ${what}. Not submitted again (it would be paid twice).`);
  return ctx.fail(new CliError('SubmitUnknown', `The submit's reply was lost (${code}); ${what}. Not submitted again, so nothing is paid twice.`, { cause }), 'unknown');
}

/**
 * After Ctrl-C while waiting: cancel the task if it is still PENDING, otherwise leave it alone.
 * Returns the error that says which happened.
 */
async function stopWaiting(client: DashScope, taskId: string, recordFile: TaskRecordFile, options: GenerationRunOptions): Promise<InterruptedError> {
  const record = recordFile.record;
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
