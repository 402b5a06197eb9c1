/**
 * The output folder's lock: one run at a time works on an `--out` folder, whatever keys or lock folders
 * the runs use (two runs on one folder with different keys, or as another user with another cache,
 * would each pay for the same items). It lives in the folder itself (`<out>/.backdrop/run.lock`) and has
 * the key lock's semantics: a lock whose process is gone is taken over; `wait` queues behind the holder.
 */
import path from 'node:path';
import { KeyLockHeldError, OutputFolderLockedError } from '../errors.js';
import { acquireKeyLock, type KeyLock } from '../throttle/key-lock.js';

/** Takes `<out>/.backdrop/run.lock`; throws {@link OutputFolderLockedError} (exit 2) when another run holds it and `wait` is not set. */
export async function acquireOutputLock(out: string, options: { wait?: boolean; signal?: AbortSignal } = {}): Promise<KeyLock> {
  const dir = path.join(path.resolve(out), '.backdrop');
  try {
    return await acquireKeyLock('run', { dir, ...(options.wait ? { wait: true } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if (err instanceof KeyLockHeldError) throw new OutputFolderLockedError(path.resolve(out), err.holderPid);
    throw err;
  }
}
