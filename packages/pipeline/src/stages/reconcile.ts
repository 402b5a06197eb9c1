/**
 * Reconciliation: after a submit whose reply was lost (it may have created a task), find the task it
 * created in the task list — on a reading that holds whatever the service's time zone is — and adopt
 * it only when it fits the item. Anything less certain is reported with the candidate ids; nothing is
 * ever adopted blindly (another program on the same account may create tasks in the same seconds).
 */
import sharp from 'sharp';
import type { Task, TaskListItem, TasksCreatedBetween, TaskWindowFilter } from '@backdrop/api';
import { taskFitsItem, type ItemFitWant, type TaskFit } from './task-fit.js';

/** How far around a submit's start a task it created may be stamped: a little before (clock skew), up to the request timeout after. */
const BEFORE_MS = 3_000;
const AFTER_MS = 120_000;
/** How long a candidate that has not finished yet is waited for, so its result size can be checked. */
const DEFAULT_SETTLE_WAIT_MS = 10 * 60_000;

/** The part of a client reconciliation uses. */
export interface ReconcileClient {
  tasks: {
    get(taskId: string, options?: { signal?: AbortSignal }): Promise<Task>;
    listCreatedBetween(from: number, to: number, filter?: TaskWindowFilter, options?: { signal?: AbortSignal; maxPages?: number }): Promise<TasksCreatedBetween>;
  };
}

/** Outcome of looking for the task an unsettled submit may have created. */
export type ReconcileOutcome =
  /** Exactly one unclaimed task in the window fits the item (count, size, key): adopt it. */
  | { found: 'one'; taskId: string }
  /** No unclaimed task in the window that could be the item's (the list was read completely). */
  | { found: 'none' }
  /** Tasks that might be the item's, but none can be told to be it: report them, adopt none. */
  | { found: 'ambiguous'; taskIds: string[] }
  | { found: 'unavailable'; reason: string };

/** Options of {@link findUnclaimedTask}. */
export interface ReconcileOptions {
  /** What the item asked for; without it no candidate can be shown to fit (→ ambiguous). */
  want?: ItemFitWant;
  signal?: AbortSignal;
  /** Waiting for an unfinished candidate to end (to read its result size); default 10 min. */
  settleWaitMs?: number;
  /** Pause between reads of an unfinished candidate (default 1 s). */
  pollMs?: number;
  /** Sleeps (the engine's clock in tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const plainSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Looks up the task a submit started at `startedAt` may have created: tasks of `model` created in the
 * window around it (`tasks.listCreatedBetween`: a ±14 h query filtered by `gmt_create`, epoch ms) that
 * no journal entry claims, each checked against the item with {@link taskFitsItem}. Misfits are someone
 * else's and ignored; exactly one fitting candidate (and no undecided one) is adopted; none means the
 * submit created nothing. When the list could not be read completely, "none" cannot be concluded.
 */
export async function findUnclaimedTask(
  client: ReconcileClient,
  model: string,
  startedAt: number,
  claimed: ReadonlySet<string>,
  now = Date.now(),
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const from = startedAt - BEFORE_MS;
  const to = Math.max(from, Math.min(now + 60_000, startedAt + AFTER_MS));
  const fits: string[] = [];
  const undecided: string[] = [];
  try {
    const listed = await client.tasks.listCreatedBetween(from, to, { modelName: model }, { maxPages: 20, ...(options.signal ? { signal: options.signal } : {}) });
    const candidates = listed.tasks.filter((t) => !claimed.has(t.taskId) && (t.modelName === undefined || t.modelName === model));
    for (const entry of candidates) {
      const fit = await candidateFit(client, entry, model, options);
      if (fit === 'fits') fits.push(entry.taskId);
      else if (fit === 'unknown') undecided.push(entry.taskId);
    }
    if (!listed.complete && fits.length + undecided.length === 0) return { found: 'unavailable', reason: 'the task list had more pages than were read' };
  } catch (err) {
    return { found: 'unavailable', reason: (err as Error).message ?? String(err) };
  }
  if (fits.length === 1 && undecided.length === 0) return { found: 'one', taskId: fits[0] };
  if (fits.length + undecided.length === 0) return { found: 'none' };
  return { found: 'ambiguous', taskIds: [...fits, ...undecided] };
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN']);

/** Reads a candidate (waiting for it to end, so its results can be measured) and checks it against the item. */
async function candidateFit(client: ReconcileClient, entry: TaskListItem, model: string, options: ReconcileOptions): Promise<TaskFit> {
  if (!options.want) return 'unknown';
  const want: ItemFitWant = { modelName: model, ...options.want };
  const signal = options.signal ? { signal: options.signal } : undefined;
  const sleep = options.sleep ?? plainSleep;
  const deadline = Date.now() + (options.settleWaitMs ?? DEFAULT_SETTLE_WAIT_MS);
  let task = await client.tasks.get(entry.taskId, signal);
  const facts = (t: Task): Parameters<typeof taskFitsItem>[0] => ({
    ...(t.taskMetrics ? { taskMetrics: t.taskMetrics } : {}),
    ...(t.results ? { results: t.results } : {}),
    ...(entry.apiKeyId !== undefined ? { apiKeyId: entry.apiKeyId } : {}),
    ...(entry.modelName !== undefined ? { modelName: entry.modelName } : {}),
  });
  // Count (and key) contradict already while it runs: not ours, no need to wait.
  if (taskFitsItem(facts(task), want) === 'misfit') return 'misfit';
  while (!FINAL.has(task.taskStatus) && Date.now() < deadline) {
    await sleep(options.pollMs ?? 1000, options.signal);
    task = await client.tasks.get(entry.taskId, signal);
  }
  const resultSize = await firstResultSize(task, options.signal);
  return taskFitsItem({ ...facts(task), ...(resultSize ? { resultSize } : {}) }, want);
}

/** Width × height of the task's first result image, read from the image itself; undefined when none can be read. */
async function firstResultSize(task: Task, signal: AbortSignal | undefined): Promise<{ width: number; height: number } | undefined> {
  const url = task.results?.find((r) => r.url)?.url;
  if (!url) return undefined;
  try {
    const res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(60_000), ...(signal ? [signal] : [])]) });
    if (!res.ok) return undefined;
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : undefined;
  } catch {
    return undefined;
  }
}
