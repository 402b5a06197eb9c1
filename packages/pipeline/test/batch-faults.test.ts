/**
 * Failures, retries and rate limits, injected by the emulator: FAILED tasks are retried up to
 * `retries` times and reported per item; moderation failures are not retried; server errors and
 * dropped connections on submit are reconciled instead of paid twice; 429s slow the lane down.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '@backdrop/emulator';
import { runBatch, type BatchOptions } from '../src/engine/run-batch.js';
import type { BatchEvent, BatchSummary } from '../src/engine/batch-events.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { maxConcurrentRunning, tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function runAgainst(
  options: EmulatorOptions,
  items: number,
  batch: Partial<BatchOptions> = {},
  apiKeys = ['fault-key'],
): Promise<{ summary: BatchSummary; events: BatchEvent[]; out: string }> {
  emulator = await startEmulator({ taskMs: [80, 150], seed: 21, ...options });
  const dir = tmpDir('faults');
  const { manifest } = await writeCatalogue(dir, items);
  const out = path.join(dir, 'out');
  const events: BatchEvent[] = [];
  let summary: BatchSummary | undefined;
  for await (const e of runBatch(await openBatchSource(manifest), { out, apiKeys, baseUrl: emulator.baseUrl, lock: { dir: path.join(dir, 'locks') }, ...batch })) {
    events.push(e);
    if (e.type === 'summary') summary = e.summary;
  }
  return { summary: summary!, events, out };
}

function results(out: string): { id: string; status: string; errorCode: string | null; attempts: number }[] {
  return readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('batch under injected faults', () => {
  it('retries FAILED tasks up to --retries and reports the items that still fail', async () => {
    const { summary, events, out } = await runAgainst({ faults: { taskFailureRate: 0.5 } }, 10, { retries: 1 });
    const r = results(out);
    const failed = r.filter((x) => x.status === 'failed');
    expect(summary.failed).toBe(failed.length);
    expect(summary.succeeded + summary.failed).toBe(10);
    // With half the tasks failing, some items need a retry and (seeded) some fail twice.
    expect(events.some((e) => e.type === 'retry')).toBe(true);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ errorCode: 'InternalError.Algo', attempts: 2 });
    for (const ok of r.filter((x) => x.status === 'succeeded')) expect(ok.attempts).toBeGreaterThanOrEqual(1);
    const stats = emulator!.stats();
    expect(stats.total.tasksCreated).toBe(r.reduce((n, x) => n + x.attempts, 0));
    expect(maxConcurrentRunning(stats.timeline)).toBeLessThanOrEqual(1);
  });

  it('does not retry content-moderation failures', async () => {
    const { summary, events, out } = await runAgainst(
      { faults: { taskFailureRate: 1, taskFailureCode: 'DataInspectionFailed', taskFailureMessage: 'Input data may contain inappropriate content.' } },
      3,
      { retries: 3 },
    );
    expect(summary).toMatchObject({ succeeded: 0, failed: 3 });
    expect(events.some((e) => e.type === 'retry')).toBe(false);
    for (const x of results(out)) expect(x).toMatchObject({ status: 'failed', errorCode: 'DataInspectionFailed', attempts: 1 });
    expect(emulator!.stats().total.tasksCreated).toBe(3);
  });

  it('reconciles submits answered 500 (the client cannot know whether a task exists) without paying twice', async () => {
    const { summary } = await runAgainst({ faults: { routes: ['submit'], serverErrorRate: 0.4 } }, 6);
    expect(summary).toMatchObject({ succeeded: 6, failed: 0, possibleDuplicates: 0 });
    const stats = emulator!.stats();
    expect(stats.total.faults.serverError ?? 0).toBeGreaterThan(0);
    expect(stats.total.tasksCreated).toBe(6);
  });

  it('adopts the task of a submit whose connection dropped after the task was created', async () => {
    const { summary, events } = await runAgainst({ faults: { routes: ['submit'], dropConnectionRate: 0.4, dropAfterCreate: true } }, 6);
    expect(summary).toMatchObject({ succeeded: 6, failed: 0, possibleDuplicates: 0 });
    const stats = emulator!.stats();
    expect(stats.total.faults.dropConnection ?? 0).toBeGreaterThan(0);
    expect(stats.total.tasksCreated).toBe(6);
    expect(events.filter((e) => e.type === 'submitted')).toHaveLength(6);
  });

  it('retires a key the service refuses and moves its items to the other keys', async () => {
    const { summary, events } = await runAgainst({ apiKeys: ['good-key'] }, 4, {}, ['revoked-key', 'good-key']);
    expect(summary).toMatchObject({ succeeded: 4, failed: 0 });
    const refused = events.filter((e) => e.type === 'warning' && e.code === 'InvalidApiKey');
    expect(refused).toHaveLength(1);
    expect(JSON.stringify(refused)).not.toContain('revoked-key');
    expect(emulator!.stats().total.tasksCreated).toBe(4);
  });

  it('fails every item with the reason when the only key is refused', async () => {
    const { summary, out } = await runAgainst({ apiKeys: ['good-key'] }, 3, {}, ['revoked-key']);
    expect(summary).toMatchObject({ succeeded: 0, failed: 3 });
    for (const x of results(out)) expect(x).toMatchObject({ status: 'failed', errorCode: 'InvalidApiKey' });
  });

  it('slows down on 429 Throttling.RateQuota and finishes everything', async () => {
    // The service allows 1 submit/s while we are told 2: the lane must back off, not fail.
    const { summary } = await runAgainst({ submitQps: 1, concurrencyPolicy: 'queue', taskMs: 50 }, 5);
    expect(summary).toMatchObject({ succeeded: 5, failed: 0 });
    const stats = emulator!.stats();
    expect(stats.total.tasksCreated).toBe(5);
    expect(stats.total.throttled['Throttling.RateQuota'] ?? 0).toBeGreaterThan(0);
  });
});
