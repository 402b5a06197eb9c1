/**
 * Downloads a SUCCEEDED task's images into a folder — `result-<i>.<ext>` for `results`, and
 * `plain-<i>.<ext>` (the images without the title) for `text_results.urls` — with the pipeline's
 * download stage (retries, temp name + fsync + rename). Used by `status --download` (`generate` downloads
 * through the engine's download stage).
 */
import type { Task } from '@backdrop/api';
import { downloadFiles, downloadPlan, recordedFiles, type RecordedFile } from '@backdrop/pipeline';

function urlsOf(list: { url?: string }[] | undefined): string[] {
  return (list ?? []).map((r) => r.url).filter((u): u is string => typeof u === 'string' && u !== '');
}

/** Number of images a SUCCEEDED task has to download (those with a URL). */
export function resultFileCount(task: Task): number {
  return urlsOf(task.results).length + urlsOf(task.textResults?.urls).length;
}

/** Fetches every result image of `task` into `dir` and describes the files written. */
export async function downloadTaskResults(task: Task, dir: string, signal?: AbortSignal): Promise<RecordedFile[]> {
  const plan = downloadPlan(task.results ?? [], task.textResults?.urls ?? []); // missing images keep their positions empty
  const written = await downloadFiles(dir, plan, signal ? { signal } : {});
  return recordedFiles(plan, written);
}
