/**
 * `--out` folders. Every command checks its folder before doing any work (a file, or a place it cannot
 * write, is a usage error, not a stack of `ENOTDIR` halfway through). For `backdrop generate`, results
 * cost money, so a folder that already holds an earlier run's files (`task.json`, `result-*`,
 * `plain-*`) is not overwritten unless asked; with `--overwrite`, files of the earlier run that the new
 * run did not replace are removed at the end.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliUsageError } from './cli-errors.js';

/**
 * Checks, creating nothing, that `dir` is (or can be created as) a folder this process can write:
 * it, or its nearest existing ancestor, must be a writable directory.
 */
export async function checkOutputFolder(dir: string, flag = '--out'): Promise<void> {
  const wanted = path.resolve(dir);
  for (let at = wanted; ; at = path.dirname(at)) {
    const info = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined; // look further up
      throw new CliUsageError('OUTPUT_FOLDER_UNUSABLE', `${flag} ${dir}: cannot use ${at} (${err.code ?? err.message}); choose another ${flag}.`);
    });
    if (!info) {
      if (path.dirname(at) === at) break;
      continue;
    }
    if (!info.isDirectory()) {
      const what = at === wanted ? 'is a file, not a folder' : `cannot be created: ${at} is a file`;
      throw new CliUsageError('OUTPUT_NOT_A_FOLDER', `${flag} ${dir} ${what}; choose a folder.`);
    }
    const writable = await access(at, constants.W_OK | constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!writable) throw new CliUsageError('OUTPUT_NOT_WRITABLE', `${flag} ${dir}: ${at} is not writable by this user; choose another ${flag}.`);
    if (at === wanted) await refuseSymlinksIn(wanted, flag);
    return;
  }
}

/** Entries looked at below `<out>/.backdrop` at most (it holds the journal, locks and report files). */
const MAX_STATE_ENTRIES = 10_000;

/**
 * Refuses an output folder in which backdrop would write through a symbolic link: any link among
 * its entries (item folders, results.jsonl, index.html, .backdrop) or anywhere under `.backdrop`.
 * The folder itself may be a link (the user named it); what backdrop creates and uses in it may not.
 */
async function refuseSymlinksIn(outDir: string, flag: string): Promise<void> {
  const refuse = (p: string): never => {
    throw new CliUsageError(
      'OUTPUT_SYMLINK',
      `${flag} ${outDir}: ${p} is a symbolic link; backdrop never writes through links in its output folder. Remove the link, or choose another ${flag}.`,
    );
  };
  const queue = [outDir];
  let looked = 0;
  while (queue.length > 0 && looked < MAX_STATE_ENTRIES) {
    const dir = queue.shift()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      looked++;
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) refuse(p);
      // Below the top level only the state folder is walked: item folders are checked as they are written.
      if (e.isDirectory() && (dir !== outDir || e.name === '.backdrop')) queue.push(p);
    }
  }
}

const RUN_FILE = /^(task\.json|(result|plain)-\d+\.[a-z0-9]+)$/i;

/**
 * Checks the folder (see {@link checkOutputFolder}) and returns the earlier run's files in it; unless
 * `overwrite`, an earlier run there is a usage error. Creates nothing.
 */
export async function checkEarlierRun(outDir: string, overwrite: boolean, flag = '--out'): Promise<string[]> {
  await checkOutputFolder(outDir, flag);
  const existing = (await readdir(outDir).catch(() => [] as string[])).filter((name) => RUN_FILE.test(name)).sort();
  if (existing.length > 0 && !overwrite) {
    const shown = existing.slice(0, 3).join(', ') + (existing.length > 3 ? ', …' : '');
    throw new CliUsageError('OUTPUT_NOT_EMPTY', `${outDir} already holds an earlier run (${shown}); choose another ${flag}, or pass --overwrite to replace it.`);
  }
  return existing;
}

/** {@link checkEarlierRun}, then creates the folder; returns the earlier run's files. */
export async function prepareOutputFolder(outDir: string, overwrite: boolean, flag = '--out'): Promise<string[]> {
  const existing = await checkEarlierRun(outDir, overwrite, flag);
  await mkdir(outDir, { recursive: true });
  return existing;
}

/** Removes the earlier run's files that are not among `kept` (names in the folder). */
export async function removeStaleFiles(outDir: string, earlier: string[], kept: string[]): Promise<void> {
  const keep = new Set(kept);
  await Promise.all(earlier.filter((name) => !keep.has(name)).map((name) => rm(path.join(outDir, name), { force: true })));
}
