/**
 * Does a task found in the task list belong to an item? Another program on the same account can create
 * a task in the same seconds, so a reconciliation adopts a found task only when everything known about
 * it matches the item: its image count (`task_metrics.TOTAL`, or the result entries of a finished task),
 * its result size (the base image's size: results have the base's resolution), and — where known — the
 * API key id and the model. Anything contradicting → `misfit` (not this item's: ignore it); everything
 * checked matches but the size (or count) could not be read yet → `unknown` (ambiguous: report it, never
 * adopt blindly); all of them known and equal → `fits`.
 */
import { readFile } from 'node:fs/promises';
import { readPngFacts, type TaskMetrics, type TaskResult } from '@backdrop/api';
import type { SubmitWant } from '../journal/journal-entry.js';
import type { PreparedInput } from './prepare.js';

/** What is known about a candidate task: a fetched task (`tasks.get`) merged with its list entry. */
export interface TaskFitFacts {
  /** `task_metrics` of the fetched task (`TOTAL` = images asked for; present while RUNNING too). */
  taskMetrics?: TaskMetrics;
  /** Result entries of a finished task (images and, in a partial result, failures: all count). */
  results?: TaskResult[];
  /** Width × height of one of its result images, read from the image itself (the replies carry no size). */
  resultSize?: { width: number; height: number };
  /** `api_key_id` of the list entry. */
  apiKeyId?: string;
  /** `model_name` of the list entry. */
  modelName?: string;
}

/** What the item asked for. */
export interface ItemFitWant {
  /** Images asked for (`parameters.n`, default 1). */
  n: number;
  /** Size of the base image as uploaded (results have the base's size). */
  width: number;
  height: number;
  /** The API key id of the key the item was submitted with, when known. */
  apiKeyId?: string;
  /** The model submitted to, when known. */
  modelName?: string;
}

/** `fits`: every fact known and equal; `misfit`: a fact contradicts; `unknown`: nothing contradicts, but not all is known. */
export type TaskFit = 'fits' | 'misfit' | 'unknown';

/** The number of images the task was asked for, when the facts tell it. */
function imagesAskedFor(task: TaskFitFacts): number | undefined {
  if (task.taskMetrics && task.taskMetrics.TOTAL > 0) return task.taskMetrics.TOTAL;
  if (task.results && task.results.length > 0) return task.results.length;
  return undefined;
}

/** Checks a candidate task against an item; see the module comment. */
export function taskFitsItem(task: TaskFitFacts, want: ItemFitWant): TaskFit {
  const count = imagesAskedFor(task);
  if (count !== undefined && count !== want.n) return 'misfit';
  const size = task.resultSize;
  if (size && (size.width !== want.width || size.height !== want.height)) return 'misfit';
  if (task.apiKeyId !== undefined && want.apiKeyId !== undefined && task.apiKeyId !== want.apiKeyId) return 'misfit';
  if (task.modelName !== undefined && want.modelName !== undefined && task.modelName !== want.modelName) return 'misfit';
  return count !== undefined && size !== undefined ? 'fits' : 'unknown';
}

/**
 * What a submit's task must look like to be its own: images asked for and the prepared base's size
 * (read from its PNG header). Undefined for a base given as a URL (its size is not known locally).
 */
export async function submitWantOf(n: number | undefined, inputs: readonly PreparedInput[]): Promise<SubmitWant | undefined> {
  const base = inputs.find((i) => i.field === 'base');
  if (!base || !('file' in base)) return undefined;
  const png = readPngFacts(await readFile(base.file).catch(() => new Uint8Array()));
  return png ? { n: n ?? 1, width: png.width, height: png.height } : undefined;
}
