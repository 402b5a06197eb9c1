import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ItemResult } from '../engine/batch-events.js';
import { inputsFromRequest } from './item-inputs.js';
import type { ItemInputs, ItemTimeline, ReportItem } from './report-model.js';
import type { Thumbnailer } from './thumbnails.js';

/** The parts of `<out>/<id>/task.json` the sheet reads. */
interface TaskJson {
  request?: unknown;
  usage?: { imageCount?: number };
  response?: { usage?: { image_count?: number }; output?: { submit_time?: string; scheduled_time?: string; end_time?: string } };
  timings?: Record<string, string>;
  files?: { name: string; sha256?: string }[];
}

/**
 * Assembles one item of the sheet: its outcome, what `task.json` holds (usage, timings, the request
 * when the definition is unknown), and thumbnails of its results (made when missing).
 */
export async function reportItem(out: string, result: ItemResult, inputs: ItemInputs | undefined, timeline: ItemTimeline, thumbs: Thumbnailer): Promise<ReportItem> {
  const dir = path.join(out, result.id);
  const task = result.status === 'succeeded' ? await readTaskJson(dir) : undefined;
  const hashes = new Map((task?.files ?? []).map((f) => [f.name, f.sha256]));
  const results: ReportItem['results'] = [];
  for (const file of result.files.filter((f) => f.startsWith('result-')).sort(byIndex)) {
    const thumb = await thumbs.thumb(path.join(dir, file), hashes.get(file));
    results.push({ file, ...(thumb ? { thumb } : {}) });
  }
  const billed = task?.usage?.imageCount ?? task?.response?.usage?.image_count ?? result.usage?.imageCount ?? 0;
  const t = (k: string): number | undefined => {
    const v = task?.timings?.[k];
    const ms = v ? Date.parse(v) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
  const out2 = task?.response?.output;
  const submitted = serviceTime(out2?.submit_time);
  const scheduled = serviceTime(out2?.scheduled_time);
  const ended = serviceTime(out2?.end_time);
  const start = t('preparedAt') ?? t('submittedAt') ?? timeline.submittedAt;
  const end = t('downloadedAt') ?? timeline.doneAt;
  const durations: ReportItem['durations'] = {};
  if (submitted !== undefined && scheduled !== undefined) durations.queued = Math.max(0, scheduled - submitted);
  if (scheduled !== undefined && ended !== undefined) durations.ran = Math.max(0, ended - scheduled);
  const endedAt = t('endedAt');
  const downloadedAt = t('downloadedAt');
  if (endedAt !== undefined && downloadedAt !== undefined) durations.download = Math.max(0, downloadedAt - endedAt);
  if (start !== undefined && end !== undefined && end >= start) durations.total = end - start;
  const tl: ItemTimeline = { ...timeline };
  if (tl.submittedAt === undefined && t('submittedAt') !== undefined) tl.submittedAt = t('submittedAt');
  if (tl.finalAt === undefined && endedAt !== undefined) tl.finalAt = endedAt;
  return {
    id: result.id,
    status: result.status,
    ...(result.taskId ? { taskId: result.taskId } : {}),
    attempts: result.attempts,
    resumed: result.resumed,
    ...(result.error ? { error: result.error } : {}),
    ...(inputs ? { inputs } : task?.request ? { inputs: inputsFromRequest(result.id, task.request) } : {}),
    results,
    plain: result.files.filter((f) => f.startsWith('plain-')).sort(byIndex),
    billed,
    timeline: tl,
    durations,
  };
}

async function readTaskJson(dir: string): Promise<TaskJson | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'task.json'), 'utf8')) as TaskJson;
  } catch {
    return undefined;
  }
}

/** The service's times, e.g. `2026-11-30 07:06:57.057` (China Standard Time); only differences are used. */
function serviceTime(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(`${s.replace(' ', 'T')}+08:00`);
  return Number.isFinite(ms) ? ms : undefined;
}

function byIndex(a: string, b: string): number {
  return (parseInt(a.replace(/^\D+/, ''), 10) || 0) - (parseInt(b.replace(/^\D+/, ''), 10) || 0);
}
