import { mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyLockHeldError } from '../errors.js';

/** Where per-key submit locks live: `$BACKDROP_LOCK_DIR`, `$XDG_RUNTIME_DIR/backdrop/locks`, or `~/.cache/backdrop/locks`. */
export function defaultLockDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BACKDROP_LOCK_DIR) return env.BACKDROP_LOCK_DIR;
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'backdrop', 'locks');
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'backdrop', 'locks');
}

interface LockContent {
  pid: number;
  host: string;
  since: string;
}

/** A held lock; `release()` removes it (idempotent). */
export interface KeyLock {
  file: string;
  /**
   * Epoch ms before which this process should neither submit nor query on the key: the previous holder
   * may have used the account's per-second budget until it released the lock (or died), and the service
   * counts both processes' requests in the same second.
   */
  quietUntil: number;
  release(): void;
}

/** The account limits are per second; a successor waits this long after the previous holder stopped. */
const HANDOVER_QUIET_MS = 1200;

const held = new Set<string>();
let exitHookInstalled = false;

/**
 * Takes the machine-wide submit lock of one API key (by fingerprint), so two backdrop processes never
 * submit on one key at once. A lock whose process is gone (same host, pid not alive) is stale and is
 * taken over. With `wait`, polls until the holder finishes; otherwise throws {@link KeyLockHeldError}.
 */
export async function acquireKeyLock(
  fingerprint: string,
  options: { dir?: string; wait?: boolean; pollMs?: number; signal?: AbortSignal } = {},
): Promise<KeyLock> {
  const dir = options.dir ?? defaultLockDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${fingerprint.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const releasedFile = `${file}.released`;
  let tookOverStale = false;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o600 });
      held.add(file);
      installExitHook();
      const releasedAt = readReleasedAt(releasedFile);
      const quietUntil = Math.max(releasedAt + HANDOVER_QUIET_MS, tookOverStale ? Date.now() + HANDOVER_QUIET_MS : 0);
      return {
        file,
        quietUntil: quietUntil > Date.now() ? quietUntil : 0,
        release: () => {
          if (!held.delete(file)) return;
          writeReleasedAt(releasedFile);
          removeIfMine(file);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readLock(file);
    if (holder && isStale(holder, file)) {
      breakStaleLock(file, holder);
      tookOverStale = true;
      continue;
    }
    if (!holder) {
      // Being written right now, or unreadable garbage: give it a moment, then treat garbage as stale.
      await sleep(50);
      if (!readLock(file)) breakStaleLock(file, undefined);
      continue;
    }
    if (!options.wait) throw new KeyLockHeldError(fingerprint, holder.pid, file);
    await sleep(options.pollMs ?? 250);
  }
}

function readReleasedAt(file: string): number {
  try {
    const t = Number(readFileSync(file, 'utf8'));
    return Number.isFinite(t) ? t : 0;
  } catch {
    return 0;
  }
}

function writeReleasedAt(file: string): void {
  try {
    writeFileSync(file, String(Date.now()), { mode: 0o600 });
  } catch {
    /* best effort: the successor then just does not wait */
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as LockContent;
    return typeof c.pid === 'number' ? c : undefined;
  } catch {
    return undefined;
  }
}

function isStale(c: LockContent, file: string): boolean {
  if (c.host !== hostname()) return false; // another machine sharing the folder: trust it
  // Our own pid on a lock we did not take: a dead process whose pid was reused (containers).
  if (c.pid === process.pid) return !held.has(file);
  try {
    process.kill(c.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Moves a stale lock aside, checking we moved the one we judged (not a fresh one taken meanwhile). */
function breakStaleLock(file: string, judged: LockContent | undefined): void {
  const aside = `${file}.stale-${process.pid}-${Date.now()}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readLock(aside);
  if (judged && moved && (moved.pid !== judged.pid || moved.since !== judged.since)) {
    // We moved a live lock that replaced the stale one: put it back if the slot is still free.
    try {
      writeFileSync(file, JSON.stringify(moved), { flag: 'wx', mode: 0o600 });
    } catch {
      /* the slot was taken again; the other process re-checks */
    }
  }
  rmSync(aside, { force: true });
}

function removeIfMine(file: string): void {
  const c = readLock(file);
  if (c && c.pid === process.pid && c.host === hostname()) {
    try {
      unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of held) {
      writeReleasedAt(`${f}.released`);
      removeIfMine(f);
    }
    held.clear();
  });
}
