/**
 * Partial results end to end in the pipeline's pieces: a SUCCEEDED task with missing images (the emulator's
 * `partialRate`) is downloaded without crashing — the images that exist land as `result-<i>` at their own
 * positions and the missing ones are listed with the service's code — both through the download stage and
 * through a whole batch run. And `taskFitsItem` on a real task.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { DashScope, type Task } from '@backdrop/api';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { downloadFiles, downloadPlan, missingResults } from '../src/stages/download.js';
import { taskFitsItem } from '../src/stages/task-fit.js';
import { runBatch } from '../src/engine/run-batch.js';
import type { BatchSummary, ItemResult } from '../src/engine/batch-events.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { tmpDir, writeCatalogue, writeCutout } from './helpers/batch-fixtures.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function finishedTask(options: { n: number; partialRate: number; width?: number; height?: number }): Promise<{ task: Task; client: DashScope }> {
  emulator = await startEmulator({ taskMs: 30, pendingMs: 0, seed: 8, faults: { partialRate: options.partialRate } });
  const client = new DashScope({ apiKey: `sk-pipeline-partial-${process.pid}`, baseUrl: emulator.baseUrl });
  const dir = tmpDir('partial-input');
  const base = path.join(dir, 'base.png');
  await writeCutout(base, options.width ?? 64, options.height ?? 48, [200, 40, 40]);
  const { task } = await client.backgroundGeneration.generate({ baseImageUrl: base, refPrompt: 'on a shelf', title: '新品', parameters: { n: options.n } }, { pollIntervalMs: 20 });
  return { task, client };
}

describe('download stage with a partial result', () => {
  it('downloads the images that exist at their own positions and lists the missing ones with their code', async () => {
    const { task } = await finishedTask({ n: 4, partialRate: 1 });
    const gone = task.results!.flatMap((r, i) => (r.url === undefined ? [i] : []));
    expect(gone.length).toBeGreaterThan(0);
    const dir = tmpDir('partial-download');
    const files = await downloadFiles(dir, downloadPlan(task.results!, task.textResults?.urls ?? []));
    const kept = [0, 1, 2, 3].filter((i) => !gone.includes(i));
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([...kept.map((i) => `plain-${i}`), ...kept.map((i) => `result-${i}`)].map((s) => expect.stringMatching(new RegExp(`^${s}\\.\\w+$`))));
    expect(files).toHaveLength(kept.length * 2);
    for (const f of files) expect(await sharp(path.join(dir, f.name)).metadata()).toMatchObject({ width: 64, height: 48 });
    expect(missingResults(task.results!, task.textResults?.urls)).toEqual([
      ...gone.map((index) => ({ kind: 'result', index, code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' })),
      ...gone.map((index) => ({ kind: 'plain', index, code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' })),
    ]);
    // The journaled form ('' for a missing URL) plans the same files.
    expect(
      downloadPlan(
        task.results!.map((r) => r.url ?? ''),
        [],
      ),
    ).toEqual(downloadPlan(task.results!, []));
    expect(missingResults(task.results!.map((r) => r.url ?? '')).map((m) => [m.index, m.code])).toEqual(gone.map((i) => [i, 'ResultMissing']));
  });

  it('a batch run on a service that returns partial results does not crash: the item succeeds with the images that exist', async () => {
    emulator = await startEmulator({ taskMs: [30, 60], pendingMs: 0, seed: 4, faults: { partialRate: 1 } });
    const dir = tmpDir('partial-batch');
    const { manifest } = await writeCatalogue(dir, 2, () => ({ n: 3 }));
    const out = path.join(dir, 'out');
    const results: ItemResult[] = [];
    let summary: BatchSummary | undefined;
    for await (const e of runBatch(await openBatchSource(manifest), { out, apiKeys: ['partial-key'], baseUrl: emulator.baseUrl, lock: { dir: path.join(dir, 'locks') } })) {
      if (e.type === 'item-done') results.push(e.result);
      if (e.type === 'summary') summary = e.summary;
    }
    expect(summary?.failed).toBe(0);
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    for (const r of results) {
      expect(r.files.length).toBeGreaterThanOrEqual(1);
      expect(r.files.length).toBeLessThan(3); // 1 or 2 of 3 images made
      for (const f of r.files) expect(f).toMatch(/^result-[0-2]\.\w+$/);
    }
  });
});

describe('taskFitsItem on a real task', () => {
  it('fits when count and result size match; misfit on another n or size; unknown without a measured size', async () => {
    const { task, client } = await finishedTask({ n: 2, partialRate: 0, width: 40, height: 30 });
    const url = task.results![0].url!;
    const meta = await sharp(Buffer.from(await (await fetch(url)).arrayBuffer())).metadata();
    const resultSize = { width: meta.width, height: meta.height };
    const listed = (await client.tasks.listCreatedBetween(Date.now() - 60_000, Date.now())).tasks.find((t) => t.taskId === task.taskId)!;
    const facts = { ...task, resultSize, apiKeyId: listed.apiKeyId, modelName: listed.modelName };
    expect(taskFitsItem(facts, { n: 2, width: 40, height: 30 })).toBe('fits');
    expect(taskFitsItem(facts, { n: 2, width: 40, height: 30, apiKeyId: listed.apiKeyId, modelName: 'wanx-background-generation-v2' })).toBe('fits');
    expect(taskFitsItem(facts, { n: 1, width: 40, height: 30 })).toBe('misfit');
    expect(taskFitsItem(facts, { n: 2, width: 41, height: 30 })).toBe('misfit');
    expect(taskFitsItem(facts, { n: 2, width: 40, height: 30, apiKeyId: 'key_other' })).toBe('misfit');
    expect(taskFitsItem(task, { n: 2, width: 40, height: 30 })).toBe('unknown'); // size not measured
    expect(taskFitsItem(task, { n: 3, width: 40, height: 30 })).toBe('misfit'); // the count alone rules it out
  });

  it('a RUNNING task: task_metrics.TOTAL tells the count; without results the size is unknown', () => {
    const running = { taskMetrics: { TOTAL: 4, SUCCEEDED: 0, FAILED: 0 } };
    expect(taskFitsItem(running, { n: 4, width: 10, height: 10 })).toBe('unknown');
    expect(taskFitsItem(running, { n: 2, width: 10, height: 10 })).toBe('misfit');
    expect(taskFitsItem({}, { n: 1, width: 10, height: 10 })).toBe('unknown');
  });
});
