/**
 * Two backdrop processes on one API key never submit concurrently: the second exits with a clear
 * message, or with --wait-for-lock runs after the first — the emulator sees one lane's traffic.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { cliSkipReason, maxConcurrentRunning, runCli, startCli, tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

const skipReason = cliSkipReason('batch-lock tests');

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function taskIdsOf(out: string): string[] {
  return readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { taskId: string }).taskId);
}

describe.skipIf(skipReason)('two processes on one key', () => {
  it('the second one exits 2 with a clear message while the first runs', async () => {
    emulator = await startEmulator({ taskMs: [700, 900], seed: 2 });
    const dir = tmpDir('lock-exit');
    // Ten tasks of ~0.8 s, one at a time: the first run holds the key for 8 s or more, long enough for the
    // second CLI to start even on a loaded two-core machine.
    const { manifest } = await writeCatalogue(dir, 10);
    const env = { BACKDROP_LOCK_DIR: path.join(dir, 'locks') };
    const common = ['--base-url', emulator.baseUrl, '--api-key', 'shared-key'];
    const first = startCli(['batch', manifest, '--out', path.join(dir, 'out-a'), ...common], env);
    while (emulator.stats().total.tasksCreated < 1) await new Promise((r) => setTimeout(r, 10));
    const second = await runCli(['batch', manifest, '--out', path.join(dir, 'out-b'), ...common], env);
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(/\[BATCH_KEY_LOCKED\] another backdrop process \(pid \d+\)/);
    expect(second.stderr).not.toContain('shared-key');
    const a = await first.done;
    expect(a.code, a.stderr).toBe(0);
    expect(emulator.stats().total.tasksCreated).toBe(10);
  });

  it('with --wait-for-lock the second runs after the first: never two running, ≤ 2 submits/s', async () => {
    emulator = await startEmulator({ taskMs: [150, 250], seed: 4 });
    const dir = tmpDir('lock-wait');
    const { manifest } = await writeCatalogue(dir, 4);
    const env = { BACKDROP_LOCK_DIR: path.join(dir, 'locks') };
    const common = ['--base-url', emulator.baseUrl, '--api-key', 'shared-key', '--wait-for-lock'];
    const a = startCli(['batch', manifest, '--out', path.join(dir, 'out-a'), ...common], env);
    const b = startCli(['batch', manifest, '--out', path.join(dir, 'out-b'), ...common], env);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    const stats = emulator.stats();
    expect(stats.total.tasksCreated).toBe(8);
    expect(maxConcurrentRunning(stats.timeline)).toBeLessThanOrEqual(1);
    expect(stats.total.peakSubmitsPerSecond).toBeLessThanOrEqual(2);
    // One run's tasks all end before the other's first submit.
    const byId = new Map(stats.timeline.map((t) => [t.taskId, t]));
    const spans = [taskIdsOf(path.join(dir, 'out-a')), taskIdsOf(path.join(dir, 'out-b'))].map((ids) => ({
      firstSubmit: Math.min(...ids.map((id) => byId.get(id)!.submittedAt)),
      lastEnd: Math.max(...ids.map((id) => byId.get(id)!.endedAt ?? Infinity)),
    }));
    spans.sort((x, y) => x.firstSubmit - y.firstSubmit);
    expect(spans[0].lastEnd).toBeLessThanOrEqual(spans[1].firstSubmit);
  });
});
