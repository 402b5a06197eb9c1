/**
 * One `task.json` format: the batch engine writes the same typed TaskRecord as `backdrop generate`, so
 * `backdrop status <id> --download <item folder>` recognises a batch item's folder as that task's and
 * fetches its images again (before, it refused the folder as another run's results).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import type { TaskRecord } from '../src/output/task-record.js';
import { cliSkipReason, runCli, tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

const skipReason = cliSkipReason('batch task.json test');
const API_KEY = 'sk-batch-record-SECRET';
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe.skipIf(skipReason)('a batch item folder and status --download', () => {
  it('holds a TaskRecord that status --download completes after the images were lost', async () => {
    emulator = await startEmulator({ apiKeys: [API_KEY], taskMs: 100, seed: 4 });
    const dir = tmpDir('task-record');
    const { manifest } = await writeCatalogue(dir, 1);
    const out = path.join(dir, 'out');
    const service = ['--base-url', emulator.baseUrl, '--api-key', API_KEY];
    const batch = await runCli(['batch', manifest, '--out', out, ...service], { BACKDROP_LOCK_DIR: path.join(dir, 'locks') });
    expect(batch.code, batch.stderr).toBe(0);

    const itemDir = path.join(out, 'sku-0');
    const text = readFileSync(path.join(itemDir, 'task.json'), 'utf8');
    expect(text).not.toContain(API_KEY);
    const record = JSON.parse(text) as TaskRecord;
    expect(record).toMatchObject({ id: 'sku-0', state: 'SUCCEEDED', taskStatus: 'SUCCEEDED', attempts: 1, notes: [] });
    expect(record.account).toMatch(/^key_[0-9a-f]{8}$/);
    expect(record.request?.input.base_image_url).toMatch(/^oss:\/\//);
    expect(record.files.map((f) => [f.kind, f.index])).toEqual([['result', 0]]);
    const taskId = record.taskId!;

    // The image is lost; status --download fetches it again into the item folder and completes task.json.
    const image = path.join(itemDir, record.files[0].name);
    rmSync(image);
    const status = await runCli(['status', taskId, '--download', itemDir, '--json', ...service]);
    expect(status.code, status.stderr).toBe(0);
    const reply = JSON.parse(status.stdout) as { files: { name: string }[]; updatedTaskJson: boolean };
    expect(reply.updatedTaskJson).toBe(true);
    expect(reply.files.map((f) => f.name)).toEqual([record.files[0].name]);
    const meta = await sharp(image).metadata();
    expect([meta.width, meta.height]).toEqual([64, 48]);
    const after = JSON.parse(readFileSync(path.join(itemDir, 'task.json'), 'utf8')) as TaskRecord;
    expect(after.taskId).toBe(taskId);
    expect(after.notes.at(-1)).toContain('status --download');
    expect(after.files[0].sha256).toBe(record.files[0].sha256);
  });
});
