/**
 * A base image that is a PNG with transparency but not 8-bit RGBA (grey + alpha, palette + tRNS, RGB/grey +
 * tRNS, 16-bit RGBA and grey + alpha) is converted to 8-bit RGBA before upload, said in one line, and the
 * generation succeeds against the emulator (which, like the service, refuses what is not four channels).
 * The converted file is checked pixel by pixel against the values the test wrote (exact for 8-bit layouts,
 * within one step for 16-bit ones). `generate` and `batch` through the built CLI; needs `pnpm build`.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngFacts } from '../packages/api/src/index.js';
import { runCli, cleanEnv, cliUnavailableReason } from './fixtures/cli/cli-harness.js';
import { pngLayoutCases, type PngLayoutCase } from './fixtures/png/png-layouts.js';

const skip = cliUnavailableReason();
if (skip) console.log(`skipping base RGBA conversion CLI tests: ${skip}`);

let tmp: string;
const cases = pngLayoutCases();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-rgba8-'));
  for (const c of cases) await writeFile(path.join(tmp, `${c.name}.png`), c.png);
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every file under `dir` whose folder is named `rgba8` (where the converted bases are cached). */
async function convertedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && path.basename(e.parentPath ?? (e as { path: string }).path) === 'rgba8')
    .map((e) => path.join(e.parentPath ?? (e as { path: string }).path, e.name));
}

async function expectConverted(file: string, c: PngLayoutCase): Promise<void> {
  const bytes = await readFile(file);
  expect(readPngFacts(bytes)).toMatchObject({ colorType: 6, bitDepth: 8, width: c.width, height: c.height });
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(4);
  let worst = 0;
  for (let i = 0; i < c.rgba.length; i++) worst = Math.max(worst, Math.abs(data[i] - c.rgba[i]));
  if (c.bitDepth === 16) expect(worst).toBeLessThanOrEqual(1);
  else expect(worst, 'lossless: every channel of every pixel as written').toBe(0);
}

describe('PNG layouts written by the test', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s has the colour type and depth it claims', (_n, c) => {
    expect(readPngFacts(c.png)).toMatchObject({ colorType: c.colorType, bitDepth: c.bitDepth, hasAlpha: true });
  });
});

describe.skipIf(skip)('a base PNG with transparency that is not 8-bit RGBA', () => {
  it.each(cases.map((c) => [c.name, c] as const))('generate converts %s to 8-bit RGBA before upload and says so once', async (name, c) => {
    const work = path.join(tmp, `gen-${name}`);
    await mkdir(work, { recursive: true });
    const r = await runCli(['generate', '--emulator', '--base', path.join(tmp, `${name}.png`), '--prompt', 'on a wooden table', '--out', path.join(work, 'out')], {
      env: cleanEnv({ TMPDIR: work, XDG_CACHE_HOME: path.join(work, 'cache') }),
    });
    const lines = r.stderr.split('\n').filter((l) => /to 8-bit RGBA before upload/.test(l));
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`${name}.png`);
    expect(lines[0]).toMatch(c.bitDepth === 16 ? /rounded to 8 bits/ : /converted losslessly/);
    expect(r.code, r.stderr).toBe(0);
    const converted = await convertedFiles(work);
    expect(converted).toHaveLength(1);
    await expectConverted(converted[0], c);
  });

  it('batch converts every such base before upload, one line per item, and every item succeeds', async () => {
    const work = path.join(tmp, 'batch');
    await mkdir(work, { recursive: true });
    const manifest = path.join(work, 'items.jsonl');
    await writeFile(manifest, cases.map((c) => JSON.stringify({ id: c.name, base: path.join(tmp, `${c.name}.png`), prompt: 'on a table' })).join('\n'));
    const out = path.join(work, 'out');
    const r = await runCli(['batch', manifest, '--out', out, '--emulator'], { env: cleanEnv({ TMPDIR: work }) });
    expect(r.code, r.stderr).toBe(0);
    for (const c of cases) {
      expect(
        r.stderr.split('\n').filter((l) => l.includes(`${c.name}.png`) && /to 8-bit RGBA before upload/.test(l)),
        r.stderr,
      ).toHaveLength(1);
    }
    const converted = await convertedFiles(out);
    expect(converted).toHaveLength(cases.length);
    for (const c of cases) {
      const sha = (await import('node:crypto')).createHash('sha256').update(c.png).digest('hex');
      const file = converted.find((f) => path.basename(f) === `${sha}.png`);
      expect(file, `converted ${c.name}`).toBeDefined();
      await expectConverted(file!, c);
    }
  });
});
