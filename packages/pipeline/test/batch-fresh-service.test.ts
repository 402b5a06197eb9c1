/**
 * Resuming against a service that kept nothing of the earlier run — what `--emulator` meets on every
 * run, and the real service once uploads or tasks are gone: cached `oss://` URLs it cannot fetch are
 * uploaded again (after one refused submit or one FAILED task), and with `regenerateExpired` a task it no longer knows
 * is generated anew in the same run instead of being reported ResultExpired.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startEmulator, type Emulator, type EmulatorOptions } from '@backdrop/emulator';
import { runBatch, type BatchOptions } from '../src/engine/run-batch.js';
import type { BatchEvent, BatchSummary } from '../src/engine/batch-events.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { cliSkipReason, runCli, startCli, tmpDir, writeCatalogue, writeManifest } from './helpers/batch-fixtures.js';

const KEY = 'fresh-service-key';
const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const e = await startEmulator({ taskMs: [150, 250], seed: 5, ...options });
  emulators.push(e);
  return e;
}

async function run(
  manifest: string,
  out: string,
  options: Partial<BatchOptions>,
  onEvent: (e: BatchEvent) => void = () => {},
): Promise<{ summary: BatchSummary; events: BatchEvent[] }> {
  const events: BatchEvent[] = [];
  let summary: BatchSummary | undefined;
  for await (const e of runBatch(await openBatchSource(manifest), { out, apiKeys: [KEY], lock: { dir: path.join(out, '..', 'locks') }, ...options })) {
    events.push(e);
    onEvent(e);
    if (e.type === 'summary') summary = e.summary;
  }
  if (!summary) throw new Error('no summary');
  return { summary, events };
}

const warnings = (events: BatchEvent[], code: string) => events.filter((e) => e.type === 'warning' && e.code === code);

async function expectResultImages(out: string, ids: string[]): Promise<void> {
  for (const id of ids) {
    const meta = await sharp(path.join(out, id, 'result-0.png')).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);
  }
}

describe.each(['submit', 'task'] as const)('uploads the service no longer has (reported at the %s)', (where) => {
  it('are uploaded again, and earlier-run uploads are no longer trusted for the other items', async () => {
    const items = 6;
    const ids = Array.from({ length: items }, (_, i) => `sku-${i}`);
    const dir = tmpDir(`fresh-uploads-${where}`);
    const { manifest } = await writeCatalogue(dir, items);
    const out = path.join(dir, 'out');
    const a = await emulator();
    expect((await run(manifest, out, { baseUrl: a.baseUrl })).summary).toMatchObject({ succeeded: items, failed: 0 });
    expect(
      readFileSync(path.join(out, '.backdrop', 'uploads.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(items);

    // New prompts, same cut-outs: the items are generated anew and their uploads come from the cache,
    // but this service instance has never seen them.
    writeManifest(
      manifest,
      ids.map((id, i) => ({ id, base: `cutouts/p${i}.png`, prompt: `product ${i} on a beach` })),
    );
    const b = await emulator({ inputDownloadFailure: where });
    const { summary, events } = await run(manifest, out, { baseUrl: b.baseUrl, lookahead: 2, retries: 0 });
    expect(summary).toMatchObject({ succeeded: items, failed: 0 });
    expect(warnings(events, 'UploadsRefreshed')).toHaveLength(1);
    const stats = b.stats().total;
    if (where === 'submit') {
      // One submit refused (400, no task), then every input uploaded again; one task per item.
      expect(stats.errors).toEqual({ InvalidParameter: 1 });
      expect(stats.submitRequests).toBe(items + 1);
      expect(stats.tasksCreated).toBe(items);
    } else {
      // The first task FAILS on a lost input; an item already queued behind it (and one that took the slot
      // as it ended) may fail the same way, the rest upload again first. Not counted against retries: 0.
      const failed = stats.tasksByStatus.FAILED;
      console.log(`fresh-service (task): ${failed} task(s) FAILED on lost uploads for ${items} items`);
      expect(failed).toBeGreaterThanOrEqual(1);
      expect(failed).toBeLessThanOrEqual(3);
      expect(stats.errors).toEqual({});
      expect(stats.tasksByStatus.SUCCEEDED).toBe(items);
      expect(stats.tasksCreated).toBe(items + failed);
    }
    await expectResultImages(out, ids);
  });
});

describe('a task the service no longer knows, on resume', () => {
  async function interruptedWithTaskInService(name: string): Promise<{ manifest: string; out: string; taskId: string }> {
    const dir = tmpDir(name);
    const { manifest } = await writeCatalogue(dir, 1);
    const out = path.join(dir, 'out');
    const a = await emulator({ taskMs: 60_000 });
    const stop = new AbortController();
    let taskId = '';
    const { summary } = await run(manifest, out, { baseUrl: a.baseUrl, signal: stop.signal }, (e) => {
      if (e.type === 'submitted') {
        taskId = e.taskId;
        stop.abort();
      }
    });
    expect(summary).toMatchObject({ interrupted: 1 });
    expect(taskId).not.toBe('');
    return { manifest, out, taskId };
  }

  it('is reported ResultExpired by default (a new task is paid for)', async () => {
    const s = await interruptedWithTaskInService('fresh-expired-report');
    const b = await emulator();
    const { summary } = await run(s.manifest, s.out, { baseUrl: b.baseUrl });
    expect(summary).toMatchObject({ failed: 1, succeeded: 0 });
    const line = JSON.parse(readFileSync(path.join(s.out, 'results.jsonl'), 'utf8').trim()) as { status: string; errorCode: string; taskId: string };
    expect(line).toMatchObject({ status: 'failed', errorCode: 'ResultExpired', taskId: s.taskId });
    expect(b.stats().total.tasksCreated).toBe(0);
  });

  it('is generated anew in the same run with regenerateExpired', async () => {
    const s = await interruptedWithTaskInService('fresh-expired-regenerate');
    const b = await emulator();
    const { summary, events } = await run(s.manifest, s.out, { baseUrl: b.baseUrl, regenerateExpired: true });
    expect(summary).toMatchObject({ failed: 0, succeeded: 1 });
    const expired = warnings(events, 'ResultExpired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ id: 'sku-0' });
    expect((expired[0] as { message: string }).message).toContain(`task ${s.taskId}`);
    expect(b.stats().total.tasksCreated).toBe(1);
    await expectResultImages(s.out, ['sku-0']);
  });
});

const skipReason = cliSkipReason('CLI part of batch-fresh-service');

describe.skipIf(skipReason)('backdrop batch --emulator, interrupted and run again', () => {
  it('finishes every item on the second run (each run has its own, empty emulator)', async () => {
    const dir = tmpDir('fresh-cli');
    const { manifest } = await writeCatalogue(dir, 3);
    const out = path.join(dir, 'out');
    const args = ['batch', manifest, '--out', out, '--emulator'];
    const env = { BACKDROP_LOCK_DIR: path.join(dir, 'locks') };
    const first = startCli(args, env);
    // Ctrl-C once the first item is done: the others are uploaded and one is at the service.
    let stderr = '';
    let interrupted = false;
    first.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!interrupted && /\[1\/3\] sku-\d: 1 file/.test(stderr)) {
        interrupted = true;
        first.child.kill('SIGINT');
      }
    });
    const r1 = await first.done;
    expect(r1.stderr).toMatch(/\d+ interrupted/);
    expect(r1.code).toBe(130);
    const r2 = await runCli(args, env);
    expect(r2.stderr).toMatch(/3 items: 3 succeeded( \(\d of them done in an earlier run\))?, 0 failed/);
    expect(r2.code).toBe(0);
    await expectResultImages(out, ['sku-0', 'sku-1', 'sku-2']);
  });
});
