/**
 * The whole input is checked before anything is uploaded or submitted: every problem is listed with
 * its manifest line, and the CLI exits 2 with the service untouched.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { validateBackgroundGenerationRequest } from '@backdrop/api';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { validateBatchInput } from '../src/manifest/validate-input.js';
import { runCli, tmpDir, writeCutout, writeJpeg, writeManifest } from './helpers/batch-fixtures.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function badCatalogue(): Promise<{ dir: string; manifest: string }> {
  const dir = tmpDir('validation');
  await writeCutout(path.join(dir, 'ok.png'), 32, 32, [200, 10, 10]);
  await writeJpeg(path.join(dir, 'photo.jpg'), 32, 32, [10, 10, 200]);
  await writeCutout(path.join(dir, 'huge.png'), 2100, 20, [10, 200, 10]);
  writeFileSync(path.join(dir, 'broken.png'), 'not a png at all');
  const whole = readFileSync(path.join(dir, 'ok.png'));
  writeFileSync(path.join(dir, 'truncated.png'), whole.subarray(0, Math.floor(whole.length * 0.6)));
  const manifest = path.join(dir, 'manifest.jsonl');
  writeManifest(manifest, [
    { id: 'a', base: 'ok.png', prompt: 'fine' }, // 1: valid
    '{"id":"b", "base": "ok.png",', // 2: bad JSON
    { id: 'c', base: 'ok.png', prompt: 'x', colour: 'red' }, // 3: unknown key
    { id: 'A', base: 'ok.png', prompt: 'x' }, // 4: duplicate of line 1 (ids are folder names)
    { id: '../escape', base: 'ok.png', prompt: 'x' }, // 5: unsafe id
    { id: 'e', base: 'missing.png', prompt: 'x' }, // 6: file missing
    { id: 'f', base: 'photo.jpg', prompt: 'x' }, // 7: not an RGBA PNG
    { id: 'g', base: 'huge.png', prompt: 'x' }, // 8: too large without --fit
    { id: 'h', base: 'ok.png', prompt: 'x', title: '这是一个太长太长的标题' }, // 9: title too long
    { id: 'i', base: 'ok.png', prompt: 'x', n: 7 }, // 10: n out of range
    '', // 11: blank lines are fine
    { id: 'j', base: 'ok.png', prompt: 'x', foreground: [{ cutout: 'ok.png', edge: 'ok.png' }] }, // 12: element with both kinds
    { id: 'k', base: 'broken.png', prompt: 'x' }, // 13: not an image
    { id: 'l', base: 'truncated.png', prompt: 'x' }, // 14: header fine, pixels cut off
    { id: 'm', base: '', prompt: 'x' }, // 15: empty base (not the manifest's folder)
  ]);
  return { dir, manifest };
}

describe('batch input validation', () => {
  it('lists every problem with its line number and a stable code', async () => {
    const { manifest } = await badCatalogue();
    const report = await validateBatchInput(await openBatchSource(manifest), { validateRequest: (r) => validateBackgroundGenerationRequest(r) });
    const byLine = new Map<number, string[]>();
    for (const p of report.problems) byLine.set(p.line, [...(byLine.get(p.line) ?? []), p.code]);
    expect(byLine.has(1)).toBe(false);
    expect(byLine.get(2)).toEqual(['bad_json']);
    expect(byLine.get(3)).toEqual(['unknown_key']);
    expect(byLine.get(4)).toEqual(['duplicate_id']);
    expect(byLine.get(5)).toEqual(['unsafe_id']);
    expect(byLine.get(6)).toEqual(['file_missing']);
    expect(byLine.get(7)).toEqual(['not_rgba_png']);
    expect(byLine.get(8)).toEqual(['too_large']);
    expect(byLine.get(9)?.length).toBe(1);
    expect(byLine.get(10)?.length).toBe(1);
    expect(byLine.has(11)).toBe(false);
    expect(byLine.get(12)).toEqual(['element_kind']);
    expect(byLine.get(13)).toEqual(['not_an_image']);
    expect(byLine.get(14)).toEqual(['not_an_image']);
    expect(byLine.get(15)).toEqual(['required']);
    expect([...byLine.keys()]).toEqual([...byLine.keys()].sort((a, b) => a - b));
  });

  it('makes the CLI exit 2 before touching the service, naming each line', async () => {
    const { manifest } = await badCatalogue();
    emulator = await startEmulator();
    const out = path.join(path.dirname(manifest), 'out');
    const r = await runCli(['batch', manifest, '--out', out, '--base-url', emulator.baseUrl, '--api-key', 'validation-key'], { BACKDROP_LOCK_DIR: path.join(out, '..', 'locks') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[BATCH_INVALID_INPUT]');
    for (const line of [2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15]) expect(r.stderr).toContain(`manifest.jsonl:${line}:`);
    expect(r.stderr).not.toContain('manifest.jsonl:1:');
    expect(emulator.stats().total.requests).toBe(0);
  });

  it('accepts a large base with --fit and downscales it to a 2048 px long side before upload', async () => {
    const dir = tmpDir('fit');
    await writeCutout(path.join(dir, 'wide.png'), 2100, 40, [250, 120, 0]);
    const manifest = path.join(dir, 'm.jsonl');
    writeManifest(manifest, [{ id: 'wide', base: 'wide.png', prompt: 'a long shelf' }]);
    emulator = await startEmulator({ taskMs: 100 });
    const out = path.join(dir, 'out');
    const r = await runCli(['batch', manifest, '--out', out, '--fit', '--base-url', emulator.baseUrl, '--api-key', 'fit-key'], { BACKDROP_LOCK_DIR: path.join(dir, 'locks') });
    expect(r.code).toBe(0);
    const meta = await sharp(path.join(out, 'wide', 'result-0.jpg'))
      .metadata()
      .catch(() => sharp(path.join(out, 'wide', 'result-0.png')).metadata());
    expect(meta.width).toBe(2048);
  });

  it('takes a folder of PNGs as items, with the flags as their options', async () => {
    const dir = tmpDir('folder');
    mkdirSync(path.join(dir, 'cutouts'));
    await writeCutout(path.join(dir, 'cutouts', 'mug 1.png'), 40, 30, [10, 10, 10]);
    await writeCutout(path.join(dir, 'cutouts', 'vase.png'), 30, 40, [90, 10, 10]);
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .toFile(path.join(dir, 'cutouts', 'ignored.jpg'));
    emulator = await startEmulator({ taskMs: 100 });
    const out = path.join(dir, 'out');
    const r = await runCli(
      ['batch', path.join(dir, 'cutouts'), '--prompt', 'on a marble counter', '-n', '2', '--out', out, '--base-url', emulator.baseUrl, '--api-key', 'folder-key'],
      { BACKDROP_LOCK_DIR: path.join(dir, 'locks') },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('2 succeeded');
    expect(emulator.stats().total.tasksCreated).toBe(2);
    const ids = (await import('node:fs'))
      .readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; files: string[] });
    expect(ids.map((i) => i.id)).toEqual(['mug_1', 'vase']);
    expect(ids[0].files.filter((f) => f.includes('result-'))).toHaveLength(2);
  });
});
