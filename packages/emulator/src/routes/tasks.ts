/** Task routes: query `GET /tasks/{id}`, cancel `POST /tasks/{id}/cancel`, list `GET /tasks`. */
import { parseServiceCompactTime } from '../clock.js';
import { limitsFor } from '../emulator-state.js';
import { RATE_QUOTA_MESSAGE, ServiceError, invalidParameter } from '../errors.js';
import type { Reply } from '../http-io.js';
import type { EmulatorTaskStatus } from '../stats.js';
import { taskListEntry, taskQueryBody, unknownTaskBody } from '../task-view.js';
import type { RouteContext } from './route-context.js';

const CANCEL_REFUSED = 'Failed to cancel the task, please confirm if the task is in PENDING status.';
const LIST_STATUSES = new Set(['PENDING', 'RUNNING', 'SUSPENDED', 'SUCCEEDED', 'FAILED', 'CANCELED', 'UNKNOWN']);

function admitQuery(ctx: RouteContext): void {
  const now = ctx.state.clock.now();
  ctx.state.stats.recordQuery(ctx.key, now);
  if (!limitsFor(ctx.state, ctx.key).queries.tryAdmit(now)) {
    throw new ServiceError(429, 'Throttling.RateQuota', RATE_QUOTA_MESSAGE);
  }
}

/** `GET /tasks/{id}`: the task, or 200 `UNKNOWN` when it does not exist, is another key's or expired. */
export async function handleTaskQuery(ctx: RouteContext): Promise<Reply> {
  admitQuery(ctx);
  const taskId = ctx.params.taskId;
  const task = ctx.state.tasks.get(taskId, ctx.key);
  return { status: 200, json: task ? taskQueryBody(task, ctx.state.origin, ctx.requestId) : unknownTaskBody(taskId, ctx.requestId) };
}

/** `POST /tasks/{id}/cancel`: only PENDING tasks can be canceled. */
export async function handleTaskCancel(ctx: RouteContext): Promise<Reply> {
  const task = ctx.state.tasks.get(ctx.params.taskId, ctx.key);
  if (!task || !ctx.state.tasks.cancel(task)) throw new ServiceError(400, 'UnsupportedOperation', CANCEL_REFUSED);
  return { status: 200, json: { request_id: ctx.requestId } };
}

function intParam(url: URL, name: string, fallback: number, min: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`${name} must be an integer from ${min} to ${max} (got "${raw}").`);
  }
  return value;
}

function timeParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  const value = parseServiceCompactTime(raw);
  if (value === undefined) throw invalidParameter(`${name} must be YYYYMMDDhhmmss (service time, UTC+8); got "${raw}".`);
  return value;
}

/** `GET /tasks?page_no&page_size&start_time&end_time&model_name&status&api_key_id`: this key's tasks, newest first. */
export async function handleTaskList(ctx: RouteContext): Promise<Reply> {
  admitQuery(ctx);
  const { url } = ctx;
  const pageNo = intParam(url, 'page_no', 1, 1, 1_000_000);
  const pageSize = intParam(url, 'page_size', 10, 1, 100);
  const start = timeParam(url, 'start_time');
  const end = timeParam(url, 'end_time');
  const modelName = url.searchParams.get('model_name') || undefined;
  const status = url.searchParams.get('status') || undefined;
  const apiKeyId = url.searchParams.get('api_key_id') || undefined;
  if (status !== undefined && !LIST_STATUSES.has(status)) {
    throw invalidParameter(`status must be one of ${[...LIST_STATUSES].join(', ')} (got "${status}").`);
  }
  const matching = ctx.state.tasks.list(ctx.key).filter(
    (t) =>
      (start === undefined || t.submittedAt >= start) &&
      (end === undefined || t.submittedAt < end + 1000) && // the filter has whole seconds: end_time includes its second
      (modelName === undefined || t.model === modelName) &&
      (apiKeyId === undefined || t.key === apiKeyId) && // entries carry the key's fingerprint as api_key_id
      (status === undefined || t.status === (status as EmulatorTaskStatus)),
  );
  const accountId = String(parseInt(ctx.key.replace(/^key_/, ''), 16));
  const page = matching.slice((pageNo - 1) * pageSize, pageNo * pageSize).map((t) => taskListEntry(t, accountId));
  return {
    status: 200,
    json: {
      total: matching.length,
      data: page,
      total_page: Math.ceil(matching.length / pageSize),
      page_no: pageNo,
      request_id: ctx.requestId,
      page_size: pageSize,
    },
  };
}
