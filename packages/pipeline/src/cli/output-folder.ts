/**
 * The `--out` folder of `backdrop generate`. Results cost money, so a folder that already holds an
 * earlier run's files (`task.json`, `result-*`, `plain-*`) is not overwritten unless asked; with
 * `--overwrite`, files of the earlier run that the new run did not replace are removed at the end.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { CliUsageError } from './cli-errors.js';

const RUN_FILE = /^(task\.json|(result|plain)-\d+\.[a-z0-9]+)$/i;

/** Creates the folder; returns the earlier run's files (only when `overwrite`, otherwise it throws). */
export async function prepareOutputFolder(outDir: string, overwrite: boolean): Promise<string[]> {
  const existing = (await readdir(outDir).catch(() => [] as string[])).filter((name) => RUN_FILE.test(name)).sort();
  if (existing.length > 0 && !overwrite) {
    const shown = existing.slice(0, 3).join(', ') + (existing.length > 3 ? ', …' : '');
    throw new CliUsageError(
      'OUTPUT_NOT_EMPTY',
      `${outDir} already holds an earlier run (${shown}); choose another --out, or pass --overwrite to replace it.`,
    );
  }
  await mkdir(outDir, { recursive: true });
  return existing;
}

/** Removes the earlier run's files that are not among `kept` (names in the folder). */
export async function removeStaleFiles(outDir: string, earlier: string[], kept: string[]): Promise<void> {
  const keep = new Set(kept);
  await Promise.all(earlier.filter((name) => !keep.has(name)).map((name) => rm(path.join(outDir, name), { force: true })));
}
