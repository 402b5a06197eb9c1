/**
 * How the CLI shows a task: a few aligned human lines (`backdrop status`) or a plain JSON object
 * (`--json`). Explains the statuses people trip over: UNKNOWN, FAILED, and the 24 h result lifetime.
 */
import type { Task, TaskStatus } from '@backdrop/api';

/** What each status means, in plain words. */
const STATUS_MEANING: Record<TaskStatus, string> = {
  PENDING: 'queued; not started yet (only now can it be cancelled)',
  RUNNING: 'generating; it can no longer be cancelled',
  SUSPENDED: 'paused by the service; it may resume',
  SUCCEEDED: 'finished; result URLs are valid for 24 h after the task ended',
  FAILED: 'finished without images; see code and message',
  CANCELED: 'cancelled before it ran; nothing was generated',
  UNKNOWN: 'no such task or expired after 24 h (or it belongs to another account/key)',
};

/** The task as a plain, stable JSON object (camelCase), for `--json`. */
export interface TaskSummary {
  taskId: string;
  status: TaskStatus;
  meaning: string;
  requestId: string;
  submitTime?: string;
  scheduledTime?: string;
  endTime?: string;
  results: string[];
  plainResults: string[];
  metrics?: { total: number; succeeded: number; failed: number };
  imageCount?: number;
  code?: string;
  message?: string;
}

/** Summarises a task for output (drops the raw body; result URLs in order). */
export function summariseTask(task: Task): TaskSummary {
  const summary: TaskSummary = {
    taskId: task.taskId,
    status: task.taskStatus,
    meaning: STATUS_MEANING[task.taskStatus] ?? 'status not documented by the service',
    requestId: task.requestId,
    results: (task.results ?? []).map((r) => r.url).filter((u): u is string => typeof u === 'string'),
    plainResults: (task.textResults?.urls ?? []).map((r) => r.url).filter((u): u is string => typeof u === 'string'),
  };
  if (task.submitTime) summary.submitTime = task.submitTime;
  if (task.scheduledTime) summary.scheduledTime = task.scheduledTime;
  if (task.endTime) summary.endTime = task.endTime;
  if (task.taskMetrics) {
    summary.metrics = { total: task.taskMetrics.TOTAL, succeeded: task.taskMetrics.SUCCEEDED, failed: task.taskMetrics.FAILED };
  }
  if (task.usage?.imageCount !== undefined) summary.imageCount = task.usage.imageCount;
  if (task.code) summary.code = task.code;
  if (task.message) summary.message = task.message;
  return summary;
}

/** Seconds between two service timestamps ("YYYY-MM-DD hh:mm:ss.SSS", same clock), if both parse. */
function secondsBetween(from: string | undefined, to: string | undefined): number | undefined {
  if (!from || !to) return undefined;
  const parse = (s: string): number => Date.parse(s.replace(' ', 'T') + 'Z');
  const ms = parse(to) - parse(from);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

/** A service timestamp plus 24 h, in the same "YYYY-MM-DD hh:mm:ss" form. */
function plusOneDay(time: string | undefined): string | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time.replace(' ', 'T') + 'Z');
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms + 24 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Human lines for `backdrop status`. */
export function formatTaskReport(task: Task): string {
  const s = summariseTask(task);
  const rows: [string, string][] = [['status', `${s.status} — ${s.meaning}`]];
  if (s.submitTime) rows.push(['submitted', s.submitTime]);
  if (s.scheduledTime) rows.push(['started', s.scheduledTime]);
  if (s.endTime) {
    const took = secondsBetween(s.submitTime, s.endTime);
    rows.push(['ended', took === undefined ? s.endTime : `${s.endTime} (${took.toFixed(1)} s after submit)`]);
  }
  const until = s.status === 'SUCCEEDED' ? plusOneDay(s.endTime) : undefined;
  if (until) rows.push(['kept until', `about ${until} (service time; download before then)`]);
  if (s.metrics) rows.push(['images', `${s.metrics.succeeded} of ${s.metrics.total} succeeded${s.metrics.failed ? `, ${s.metrics.failed} failed` : ''}`]);
  if (s.code) rows.push(['code', s.code]);
  if (s.message) rows.push(['message', s.message]);
  s.results.forEach((u, i) => rows.push([`result ${i}`, u]));
  s.plainResults.forEach((u, i) => rows.push([`plain ${i}`, `${u} (without the title)`]));
  if (s.requestId) rows.push(['request id', s.requestId]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`task ${s.taskId}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
