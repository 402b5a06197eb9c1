/**
 * Fixtures of the cluster tests: an emulator in the test process, `backdrop worker` child processes (the
 * built CLI) and checks of the emulator's stats against the account limits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorStats } from '@backdrop/emulator';
import { cleanEnv, spawnCli, type CliProcess } from '../../../../test/fixtures/cli/cli-harness.js';
import { queueStatus, type QueueStatus } from '../../src/index.js';

export { tmpDir, writeCatalogue } from '../../../pipeline/test/helpers/batch-fixtures.js';
export { cliUnavailableReason, runCli } from '../../../../test/fixtures/cli/cli-harness.js';

/** Starts `backdrop worker` on `redis` with keys k1,k2 against `baseUrl` (stalled jobs recovered after ~`lockMs`). */
export function startWorkerProcess(redis: string, baseUrl: string, options: { keys?: string; lockMs?: number; queue?: string } = {}): CliProcess {
  return spawnCli(['worker', '--redis', redis, '--base-url', baseUrl, '--lock-duration', String(options.lockMs ?? 3000), ...(options.queue ? ['--queue', options.queue] : [])], {
    env: cleanEnv({ DASHSCOPE_API_KEYS: options.keys ?? 'k1,k2' }),
  });
}

/** Polls `queueStatus` until everything is done (or `timeoutMs` passes, which fails). */
export async function waitUntilFinished(redis: string, timeoutMs = 90_000, queue?: string): Promise<QueueStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await queueStatus({ redis, ...(queue ? { queue } : {}) });
    if (s.finished) return s;
    if (Date.now() > deadline) throw new Error(`queue not finished after ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await sleep(250);
  }
}

/** Most submits (tasks created) of one key within any sliding `windowMs`, from the emulator's timeline. */
export function peakInSlidingWindow(stats: EmulatorStats, key: string, windowMs = 1000): number {
  const t = stats.timeline
    .filter((e) => e.key === key)
    .map((e) => e.submittedAt)
    .sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= windowMs) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** Lines of `<out>/results.jsonl`, parsed. */
export function resultLines(out: string): { id: string; status: string; taskId: string | null; files: string[] }[] {
  return readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; status: string; taskId: string | null; files: string[] });
}

/** Stops a worker process with `signal` unless it has ended; resolves with its exit. */
export async function stopProcess(p: CliProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(signal);
  return p.exited;
}
