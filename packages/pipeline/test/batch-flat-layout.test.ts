/**
 * The engine's one-item form (what `backdrop generate` runs): the flat layout puts the item's files and
 * `task.json` directly in `out` (results.jsonl with the journal in `<out>/.backdrop/`), the events carry
 * the task's status changes and the final task, and `fresh` starts a new task instead of resuming.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { runBatch, type BatchEvent, type BatchItem } from '../src/index.js';
import type { TaskRecord } from '../src/output/task-record.js';
import { tmpDir, writeCutout } from './helpers/batch-fixtures.js';

const API_KEY = 'sk-flat-layout';
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function run(item: BatchItem, out: string, baseUrl: string, extra: { fresh?: boolean } = {}): Promise<BatchEvent[]> {
  const events: BatchEvent[] = [];
  const options = { out, apiKeys: [API_KEY], baseUrl, layout: 'flat' as const, tool: 'flat-test', retries: 0, lock: false as const, ...extra };
  for await (const e of runBatch([item], options)) events.push(e);
  return events;
}

describe('the flat layout (one item, files in out)', () => {
  it('writes the images and task.json directly in out, reports status changes and the final task, and with fresh submits anew', async () => {
    emulator = await startEmulator({ apiKeys: [API_KEY], taskMs: 300, pendingMs: 0, seed: 7 });
    const dir = tmpDir('flat-layout');
    const base = path.join(dir, 'cup.png');
    await writeCutout(base, 64, 48, [200, 80, 40]);
    const out = path.join(dir, 'out');
    const item: BatchItem = { id: 'one', base, prompt: 'on a table', n: 2 };

    const events = await run(item, out, emulator.baseUrl);
    const done = events.find((e) => e.type === 'item-done');
    expect(done?.type === 'item-done' && done.result.status).toBe('succeeded');
    const submitted = events.find((e) => e.type === 'submitted');
    const taskId = submitted?.type === 'submitted' ? submitted.taskId : '';
    const statuses = events.flatMap((e) => (e.type === 'task-status' ? [[e.taskId, e.status]] : []));
    expect(statuses).toContainEqual([taskId, 'RUNNING']);
    expect(statuses.at(-1)).toEqual([taskId, 'SUCCEEDED']);
    const final = events.find((e) => e.type === 'task-final');
    expect(final?.type === 'task-final' && [final.task.taskId, final.task.taskStatus]).toEqual([taskId, 'SUCCEEDED']);

    // Only the item's own files in out; no <out>/<id>/ folder, no results.jsonl beside the images.
    const names = readdirSync(out).sort();
    expect(names).toEqual(['.backdrop', 'result-0.png', 'result-1.png', 'task.json']);
    expect(existsSync(path.join(out, '.backdrop', 'results.jsonl'))).toBe(true);
    for (const name of ['result-0.png', 'result-1.png']) {
      const meta = await sharp(path.join(out, name)).metadata();
      expect([meta.width, meta.height]).toEqual([64, 48]);
    }
    const record = JSON.parse(readFileSync(path.join(out, 'task.json'), 'utf8')) as TaskRecord;
    expect(record).toMatchObject({ tool: 'flat-test', taskId, state: 'SUCCEEDED' });
    expect(record.uploads).toEqual([expect.objectContaining({ field: 'base', path: base, url: expect.stringMatching(/^oss:\/\//) as string })]);
    expect(record.timings.submitStartedAt).toBeDefined();

    // Without fresh the journal resumes (the item is done); with fresh a new task is made.
    const resumed = await run(item, out, emulator.baseUrl);
    expect(resumed.some((e) => e.type === 'submitted')).toBe(false);
    const again = await run(item, out, emulator.baseUrl, { fresh: true });
    const second = again.find((e) => e.type === 'submitted');
    expect(second?.type === 'submitted' && second.taskId).not.toBe(taskId);
    expect(emulator.stats().total.tasksCreated).toBe(2);
    expect(existsSync(path.join(out, '.backdrop', 'journal.previous.jsonl'))).toBe(true);
  });
});
