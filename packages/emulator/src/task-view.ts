/** Wire (snake_case) shapes of tasks: the task query reply and task list entries, as recorded. */
import { formatServiceTime } from './clock.js';
import type { TaskRecord } from './lifecycle.js';

/** `output` (and `usage`) of `GET /tasks/{id}` for a known task. */
export function taskQueryBody(task: TaskRecord, origin: string, requestId: string): Record<string, unknown> {
  const output: Record<string, unknown> = {
    task_id: task.id,
    task_status: task.status,
    submit_time: formatServiceTime(task.submittedAt),
  };
  if (task.scheduledAt !== undefined) output.scheduled_time = formatServiceTime(task.scheduledAt);
  if (task.endedAt !== undefined) output.end_time = formatServiceTime(task.endedAt);
  const body: Record<string, unknown> = { request_id: requestId, output };
  if (task.status === 'SUCCEEDED' && task.outputs) {
    // A partial result: the missing positions carry the service's code/message instead of a url.
    const missing = new Set(task.partial?.indices ?? []);
    const entry = (path: string, i: number): Record<string, string> =>
      missing.has(i) && task.partial ? { code: task.partial.code, message: task.partial.message } : { url: origin + path };
    if (task.outputs.plain && task.outputs.textParams) {
      const params = task.outputs.textParams.filter((p) => !missing.has(Number(p.sample_idx)));
      output.text_results = { urls: task.outputs.plain.map(entry), params };
    }
    output.results = task.outputs.results.map(entry);
    const made = task.outputs.results.filter((_, i) => !missing.has(i)).length;
    output.task_metrics = { TOTAL: task.n, SUCCEEDED: made, FAILED: task.n - made };
    body.usage = { image_count: made };
  } else if (task.status === 'FAILED') {
    output.code = task.failure?.code ?? 'InternalError.Algo';
    output.message = task.failure?.message ?? 'Algorithm process error.';
    output.task_metrics = { TOTAL: task.n, SUCCEEDED: 0, FAILED: task.n };
  } else if (task.status !== 'CANCELED') {
    output.task_metrics = { TOTAL: task.n, SUCCEEDED: 0, FAILED: 0 };
  }
  return body;
}

/** `output` of `GET /tasks/{id}` for an unknown or expired task. */
export function unknownTaskBody(taskId: string, requestId: string): Record<string, unknown> {
  return { request_id: requestId, output: { task_id: taskId, task_status: 'UNKNOWN' } };
}

/** One entry of the task list (`data[]`), with the recorded keys. */
export function taskListEntry(task: TaskRecord, accountId: string): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    api_key_id: task.key,
    caller_parent_id: accountId,
    caller_uid: accountId,
    gmt_create: task.submittedAt,
    model_name: task.model,
    region: 'cn-beijing',
    request_id: task.requestId,
    status: task.status,
    task_id: task.id,
    user_api_unique_key: `apikey:v1:aigc:background-generation:generation:${task.model}`,
  };
  if (task.scheduledAt !== undefined) entry.start_time = task.scheduledAt;
  if (task.endedAt !== undefined) entry.end_time = task.endedAt;
  return entry;
}
