/** The per-key submit lock, with real processes as holders (alive and dead). */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyLockHeldError } from '../src/errors.js';
import { acquireKeyLock } from '../src/throttle/key-lock.js';
import { tmpDir } from './helpers/batch-fixtures.js';

function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function writeLock(dir: string, fp: string, pid: number): string {
  const file = path.join(dir, `${fp}.lock`);
  writeFileSync(file, JSON.stringify({ pid, host: hostname(), since: new Date().toISOString() }));
  return file;
}

describe('key lock', () => {
  it('is exclusive within the machine and removed on release', async () => {
    const dir = tmpDir('lock');
    const lock = await acquireKeyLock('key_aaaa', { dir });
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
    const again = await acquireKeyLock('key_aaaa', { dir });
    again.release();
  });

  it('never breaks a live lock caught between creation and content; breaks an old unreadable one', async () => {
    const dir = tmpDir('lock-empty');
    // A holder that has created its lock file but not yet written it (an older writer, a slow disk):
    // the content arrives 300 ms later and names a live process. The lock must then be reported held.
    const file = path.join(dir, 'key_eeee.lock');
    writeFileSync(file, '');
    const fill = setTimeout(() => writeLock(dir, 'key_eeee', process.ppid), 300);
    await expect(acquireKeyLock('key_eeee', { dir })).rejects.toBeInstanceOf(KeyLockHeldError);
    clearTimeout(fill);

    // Garbage that stays unreadable is broken once it is old.
    const garbage = path.join(dir, 'key_ffff.lock');
    writeFileSync(garbage, '{not json');
    const old = new Date(Date.now() - 60_000);
    utimesSync(garbage, old, old);
    const lock = await acquireKeyLock('key_ffff', { dir });
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = tmpDir('lock-stale');
    writeLock(dir, 'key_bbbb', deadPid());
    const lock = await acquireKeyLock('key_bbbb', { dir });
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('refuses while a live process holds it, and with wait takes it when the holder dies', async () => {
    const dir = tmpDir('lock-live');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => holder.once('spawn', r));
    writeLock(dir, 'key_cccc', holder.pid as number);
    const err = await acquireKeyLock('key_cccc', { dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyLockHeldError);
    expect((err as KeyLockHeldError).code).toBe('BATCH_KEY_LOCKED');
    expect((err as KeyLockHeldError).message).toContain('--wait-for-lock');

    const waiting = acquireKeyLock('key_cccc', { dir, wait: true, pollMs: 50 });
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const lock = await waiting;
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });
});
