/**
 * Task calls: `get`, `wait` (poll until final), `cancel` (PENDING only) and `list`.
 * Every query goes through the per-key query limiter and is retried by the query rule.
 */
import { abortableSleep } from '../abortable-sleep.js';
import { DashScopeError, TaskCanceledError, TaskFailedError, TaskUnknownError, WaitTimeoutError } from '../errors.js';
import { toPollSchedule, type PollSchedule } from '../poll-schedule.js';
import type { Transport } from '../transport.js';
import { taskListQueryWindow } from '../task-list-window.js';
import {
  FINAL_TASK_STATUSES,
  type Task,
  type TaskList,
  type TaskListFilter,
  type TaskListItem,
  type TaskStatus,
  type TasksCreatedBetween,
  type TaskWindowFilter,
} from '../types.js';
import { parseTask, parseTaskList } from '../wire.js';

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the call; it rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Per-attempt timeout; defaults to the client's `timeoutMs`. */
  timeoutMs?: number;
  /** Retries for this call; defaults to the client's `maxRetries`. */
  maxRetries?: number;
}

/** Options of `tasks.wait`. */
export interface WaitOptions {
  /** Stops waiting (the task keeps running on the service); rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Gives up after this long with a `WaitTimeoutError` (the task may still finish). Default: no limit. */
  timeoutMs?: number;
  /** Called with the task whenever its status changes (and once for the first status seen). */
  onStatus?: (task: Task) => void;
  /** Milliseconds between queries, or a schedule function. Default: `defaultPollSchedule`. */
  pollIntervalMs?: number | PollSchedule;
  /**
   * When true (default), FAILED / CANCELED / UNKNOWN reject with TaskFailedError /
   * TaskCanceledError / TaskUnknownError. When false, any final task is returned as is.
   */
  throwOnFailure?: boolean;
}

/** Reply to a successful cancel. */
export interface CancelResult {
  taskId: string;
  requestId: string;
}

/** True for SUCCEEDED, FAILED, CANCELED and UNKNOWN. */
export function isFinalTaskStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.includes(status);
}

function taskPath(taskId: string): string {
  if (typeof taskId !== 'string' || taskId.trim() === '') {
    throw new DashScopeError('InvalidTaskId', `A task id must be a non-empty string, got ${JSON.stringify(taskId)}.`, { userError: true });
  }
  return `tasks/${encodeURIComponent(taskId)}`;
}

/**
 * `YYYYMMDDhhmmss` in the service's local time (China Standard Time, UTC+8, no daylight saving:
 * recorded replies stamp 02:08:57 GMT as 10:08:57).
 */
export function formatListTime(time: Date | string): string {
  if (typeof time === 'string') {
    if (!/^\d{14}$/.test(time)) {
      throw new DashScopeError('InvalidTaskListFilter', `List times must be Dates or YYYYMMDDhhmmss strings, got ${JSON.stringify(time)}.`, { userError: true });
    }
    return time;
  }
  const t = new Date(time.getTime() + 8 * 3600_000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(t.getUTCFullYear(), 4)}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
}

/** `client.tasks`. */
export class Tasks {
  constructor(private readonly transport: Transport) {}

  /** The task's current state (`GET /tasks/{id}`). An unknown or expired id gives status UNKNOWN. */
  async get(taskId: string, options: RequestOptions = {}): Promise<Task> {
    const { body } = await this.transport.sendJson({
      operation: 'tasks.get',
      method: 'GET',
      url: taskPath(taskId),
      authenticated: true,
      retryRule: 'query',
      rateLimit: 'query',
      ...options,
    });
    return parseTask(body, 'tasks.get');
  }

  /**
   * Polls until the task is final. Resolves with the SUCCEEDED task; see `throwOnFailure` for the
   * others. Aborting or timing out stops the waiting only: use `cancel` to stop a PENDING task.
   */
  async wait(taskId: string, options: WaitOptions = {}): Promise<Task> {
    const schedule = toPollSchedule(options.pollIntervalMs);
    const started = Date.now();
    const deadline = options.timeoutMs === undefined ? Infinity : started + options.timeoutMs;
    const timeout = new AbortController();
    const timer = Number.isFinite(deadline) ? setTimeout(() => timeout.abort(), Math.max(0, deadline - started)) : undefined;
    const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
    let last: TaskStatus | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const task = await this.get(taskId, { signal });
        if (task.taskStatus !== last) {
          last = task.taskStatus;
          options.onStatus?.(task);
        }
        if (isFinalTaskStatus(task.taskStatus)) return finish(task, options.throwOnFailure ?? true);
        const delay = Math.max(0, schedule({ attempt, elapsedMs: Date.now() - started, task }));
        await abortableSleep(Math.min(delay, deadline - Date.now()), signal);
      }
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.signal.aborted) throw new WaitTimeoutError(taskId, options.timeoutMs ?? 0, last);
      throw err;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Cancels a PENDING task; any other status fails with UnsupportedOperationError. */
  async cancel(taskId: string, options: RequestOptions = {}): Promise<CancelResult> {
    const { body } = await this.transport.sendJson({
      operation: 'tasks.cancel',
      method: 'POST',
      url: `${taskPath(taskId)}/cancel`,
      authenticated: true,
      retryRule: 'query',
      rateLimit: 'query',
      ...options,
    });
    return { taskId, requestId: typeof body.request_id === 'string' ? body.request_id : '' };
  }

  /** One page of the account's tasks (`GET /tasks`). */
  async list(filter: TaskListFilter = {}, options: RequestOptions = {}): Promise<TaskList> {
    const searchParams: Record<string, string | number> = { page_no: filter.pageNo ?? 1, page_size: filter.pageSize ?? 10 };
    if (filter.startTime !== undefined) searchParams.start_time = formatListTime(filter.startTime);
    if (filter.endTime !== undefined) searchParams.end_time = formatListTime(filter.endTime);
    if (filter.modelName !== undefined) searchParams.model_name = filter.modelName;
    if (filter.status !== undefined) searchParams.status = filter.status;
    if (filter.apiKeyId !== undefined) searchParams.api_key_id = filter.apiKeyId;
    const { body } = await this.transport.sendJson({
      operation: 'tasks.list',
      method: 'GET',
      url: 'tasks',
      searchParams,
      authenticated: true,
      retryRule: 'query',
      rateLimit: 'query',
      ...options,
    });
    return parseTaskList(body);
  }

  /**
   * Every task created between `from` and `to` (Dates or epoch ms), found with a query window wide enough for
   * any time-zone reading of `start_time`/`end_time` (see task-list-window.ts) and filtered by `gmt_create`
   * (epoch ms). Reads up to `maxPages` pages of 100 (default 10); `complete` says whether that was all.
   */
  async listCreatedBetween(
    from: Date | number,
    to: Date | number,
    filter: TaskWindowFilter = {},
    options: RequestOptions & { maxPages?: number } = {},
  ): Promise<TasksCreatedBetween> {
    const fromMs = typeof from === 'number' ? from : from.getTime();
    const toMs = typeof to === 'number' ? to : to.getTime();
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs > toMs) {
      throw new DashScopeError('InvalidTaskListFilter', `listCreatedBetween needs from ≤ to (got ${String(from)} and ${String(to)}).`, { userError: true });
    }
    const { maxPages = 10, ...requestOptions } = options;
    const window = taskListQueryWindow(fromMs, toMs);
    const startTime = formatListTime(window.startTime);
    const endTime = formatListTime(window.endTime);
    const found: TaskListItem[] = [];
    let complete = false;
    for (let pageNo = 1; pageNo <= maxPages; pageNo++) {
      const page = await this.list({ ...filter, startTime, endTime, pageNo, pageSize: 100 }, requestOptions);
      found.push(...page.data);
      if (page.data.length === 0 || pageNo >= page.totalPage) {
        complete = true;
        break;
      }
    }
    const tasks = found.filter((t) => t.gmtCreate === undefined || (t.gmtCreate >= fromMs && t.gmtCreate <= toMs));
    tasks.sort((a, b) => (b.gmtCreate ?? Infinity) - (a.gmtCreate ?? Infinity) || 0); // undated first (NaN when both are)
    return { tasks, complete, startTime, endTime };
  }
}

function finish(task: Task, throwOnFailure: boolean): Task {
  if (!throwOnFailure || task.taskStatus === 'SUCCEEDED') return task;
  if (task.taskStatus === 'FAILED') throw new TaskFailedError(task);
  if (task.taskStatus === 'CANCELED') throw new TaskCanceledError(task);
  throw new TaskUnknownError(task);
}
