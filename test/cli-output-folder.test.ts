/**
 * `--out` that cannot be a folder: every command says so in one line and exits 2 before any work
 * (no HED, no emulator, no upload), instead of a raw ENOTDIR after the work is done.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputFolder } from '../packages/cli/src/output-folder.js';
import { cleanEnv, cliUnavailableReason, examplesDir, runCli } from './fixtures/cli/cli-harness.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-out-folder-'));
const aFile = path.join(dir, 'results.txt');
writeFileSync(aFile, 'not a folder\n');

describe('checkOutputFolder', () => {
  it('accepts an existing folder and one that can be created under a writable folder', async () => {
    await expect(checkOutputFolder(dir)).resolves.toBeUndefined();
    await expect(checkOutputFolder(path.join(dir, 'new', 'deeper'))).resolves.toBeUndefined();
    expect(readdirSync(dir)).toEqual(['results.txt']); // nothing created
  });

  it('refuses a file, and a folder that would have to be created inside a file', async () => {
    await expect(checkOutputFolder(aFile)).rejects.toMatchObject({
      code: 'OUTPUT_NOT_A_FOLDER',
      userError: true,
      message: `--out ${aFile} is a file, not a folder; choose a folder.`,
    });
    await expect(checkOutputFolder(path.join(aFile, 'sub'), '--download')).rejects.toMatchObject({
      code: 'OUTPUT_NOT_A_FOLDER',
      message: `--download ${path.join(aFile, 'sub')} cannot be created: ${aFile} is a file; choose a folder.`,
    });
  });
});

const skip = cliUnavailableReason();
if (skip) console.log(`CLI part of cli-output-folder skipped: ${skip}`);

describe.skipIf(skip)('--out is a file', () => {
  const cup = path.join(examplesDir, 'cutouts', 'cup.png');
  const weights = path.join(examplesDir, 'weights', 'hed-demo-tiny.pth');
  it.each([
    ['batch', ['batch', path.join(examplesDir, 'manifest.jsonl'), '--emulator', '--weights', weights, '--out', aFile]],
    ['generate', ['generate', '--base', cup, '--prompt', 'on a table', '--emulator', '--out', aFile]],
    ['edge', ['edge', cup, '--weights', weights, '--out', aFile]],
  ])('%s: exit 2, one line naming the flag, nothing started', async (_name, args) => {
    const r = await runCli(args, { env: cleanEnv() });
    expect(r.stderr.trim()).toBe(`backdrop: [OUTPUT_NOT_A_FOLDER] --out ${aFile} is a file, not a folder; choose a folder.`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});
