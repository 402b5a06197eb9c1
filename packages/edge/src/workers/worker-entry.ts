/**
 * Where a worker thread's entry file is and which Node flags it starts with. Worker entries are built
 * JavaScript (`dist/…/x.js`); code running from the TypeScript sources (vitest resolves the workspace
 * packages to `src/`) starts the built twin of the entry, so `pnpm build` must have run.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The worker entry `entry` (written `new URL('./x.js', import.meta.url)` beside the module that starts it),
 * or, when that module runs from `src/` where only `x.ts` exists, the same file under `dist/`.
 */
export function builtWorkerEntry(entry: URL): URL {
  const file = fileURLToPath(entry);
  if (existsSync(file)) return entry;
  const parts = file.split(path.sep);
  const src = parts.lastIndexOf('src');
  if (src < 0) return entry;
  parts[src] = 'dist';
  return pathToFileURL(parts.join(path.sep));
}

/** Host flags a worker must not get, with whether each takes the next argument as its value. */
const HOST_ONLY_FLAGS = new Map<string, boolean>([
  // the worker file is built JavaScript: it resolves workspace packages as Node does for built code (a host
  // started with `--conditions source`, as vitest starts its forks, would hand it TypeScript it cannot load)
  ['--conditions', true],
  ['-C', true],
  // the host's own script given inline: the worker's entry is a file
  ['--input-type', true],
  ['--eval', true],
  ['-e', true],
  ['--print', true],
  ['-p', true],
]);

/** The host's Node flags a worker thread starts with: all but {@link HOST_ONLY_FLAGS}. */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    const name = arg.split('=', 1)[0];
    const takesValue = HOST_ONLY_FLAGS.get(name);
    if (takesValue === undefined) out.push(arg);
    else if (takesValue && !arg.includes('=')) i++;
  }
  return out;
}
