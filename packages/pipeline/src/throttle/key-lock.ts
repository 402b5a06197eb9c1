import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
export async function acquireKeyLock(fingerprint: string, options: { dir?: string; wait?: boolean; pollMs?: number; signal?: AbortSignal } = {}): Promise<KeyLock> {
  const dir = options.dir ?? defaultLockDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${fingerprint.replace(/[^A-Za-z0-9._-]/g, '_')}.lock`);
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const releasedFile = `${file}.released`;
  let tookOverStale = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (createLockFile(file, mine)) {
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
    }
    const holder = readLock(file);
    if (holder && isStale(holder, file)) {
      breakStaleLock(file, holder);
      tookOverStale = true;
      continue;
    }
    if (!holder) {
      // Lock files appear complete (createLockFile), so an unreadable one is garbage (a crash during an
      // older version's write, a disk error) — or it vanished just now. Break garbage only once it is
      // clearly old, so a lock file being replaced at this instant is never mistaken for it.
      if (ageMs(file) > GARBAGE_LOCK_AGE_MS) breakStaleLock(file, undefined);
      else await sleep(50);
      continue;
    }
    if (!options.wait) throw new KeyLockHeldError(fingerprint, holder.pid, file);
    await sleep(options.pollMs ?? 250);
  }
}

/** An unreadable lock file older than this is garbage and is broken. */
const GARBAGE_LOCK_AGE_MS = 5_000;

/**
 * Creates `file` with `content` only if it does not exist, and never visible half-written: the content
 * goes to a private temp file that is then hard-linked into place (link fails with EEXIST atomically).
 * A plain `wx` write would let another process read an empty file between create and write.
 */
function createLockFile(file: string, content: LockContent): boolean {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, JSON.stringify(content), { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
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
      createLockFile(file, moved); // false: the slot was taken again; the other process re-checks
    } catch {
      /* best effort */
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
