/**
 * Files that never end or never open — a FIFO, `/dev/zero`, a symlink to either, a directory — given as
 * weights, manifest, base, ref, edge element or cut-out to `edge`, `generate` and `batch` (the built CLI,
 * child processes): refused at once with exit 2 and one line naming the file, in bounded memory.
 * And a manifest line of 600 MB: an error at `manifest:line`, no RangeError, bounded memory.
 * Needs `pnpm build` first.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONE_GB_KB, runCliBounded } from './fixtures/cli/bounded-run.js';
import { cliUnavailableReason, repoRoot } from './fixtures/cli/cli-harness.js';

const skip = cliUnavailableReason();
if (skip) console.log(`skipping odd-file CLI tests: ${skip}`);

let tmp: string;
let n = 0;
const logo = path.join(repoRoot, 'test', 'fixtures', 'hed', 'inputs', 'logo.png');
const weights = path.join(repoRoot, 'test', 'fixtures', 'hed', 'weights', 'hed-tiny-seed2-fp32.pth');

beforeAll(async () => {
  if (skip) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-odd-files-'));
  await copyFile(logo, path.join(tmp, 'logo.png'));
  execFileSync('mkfifo', [path.join(tmp, 'fifo.png')]);
  await symlink(path.join(tmp, 'fifo.png'), path.join(tmp, 'fifo-link.png'));
  await symlink('/dev/zero', path.join(tmp, 'zero.png'));
  await mkdir(path.join(tmp, 'folder.png'));
  execFileSync('mkfifo', [path.join(tmp, 'fifo.pth')]);
  await symlink('/dev/zero', path.join(tmp, 'zero.pth'));
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const out = (): string => path.join(tmp, `out-${++n}`);
const at = (name: string): string => path.join(tmp, name);

async function expectRefused(args: string[], file: string, kind: RegExp): Promise<void> {
  const r = await runCliBounded(args, { cwd: tmp, timeoutMs: 30_000, env: { BACKDROP_TF_BACKEND: 'cpu' } });
  expect(r.killedForTime, `still running after 30 s; stderr: ${r.stderr}`).toBe(false);
  expect(r.killedForMemory, `peak RSS ${r.maxRssKb} KB`).toBe(false);
  expect(r.stderr, 'names the file').toContain(path.basename(file));
  expect(r.stderr).toMatch(kind);
  expect(r.stderr).toMatch(/^backdrop: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(2);
  expect(r.maxRssKb).toBeLessThan(ONE_GB_KB);
}

const FIFO = /FIFO \(named pipe\), not a regular file/;
const DEVICE = /character device, not a regular file|not a file/;
const DIRECTORY = /directory, not a regular file/;

describe.skipIf(skip)('non-regular files are refused at once', () => {
  it('edge: weights that are a FIFO, a symlink to /dev/zero, a directory', async () => {
    await expectRefused(['edge', at('logo.png'), '--out', out(), '--weights', at('fifo.pth')], 'fifo.pth', FIFO);
    await expectRefused(['edge', at('logo.png'), '--out', out(), '--weights', at('zero.pth')], 'zero.pth', DEVICE);
    await expectRefused(['edge', at('logo.png'), '--out', out(), '--weights', at('folder.png')], 'folder.png', DIRECTORY);
  });

  it('edge: an input that is a symlink to a FIFO or to /dev/zero', async () => {
    await expectRefused(['edge', at('fifo-link.png'), '--out', out(), '--weights', weights], 'fifo-link.png', /not a (regular )?file/);
    await expectRefused(['edge', at('zero.png'), '--out', out(), '--weights', weights], 'zero.png', /not a (regular )?file/);
  });

  it('generate: base, ref and edge element that are a FIFO, /dev/zero or a directory', async () => {
    const gen = (...extra: string[]): string[] => ['generate', '--prompt', 'a garden', '--out', out(), '--emulator', ...extra];
    await expectRefused(gen('--base', at('fifo.png')), 'fifo.png', FIFO);
    await expectRefused(gen('--base', at('zero.png')), 'zero.png', DEVICE);
    await expectRefused(gen('--base', at('logo.png'), '--ref', at('fifo-link.png')), 'fifo-link.png', FIFO);
    await expectRefused(gen('--base', at('logo.png'), '--fg-edge', at('folder.png')), 'folder.png', DIRECTORY);
    await expectRefused(gen('--base', at('logo.png'), '--fg-edge', at('zero.png'), '--hed', '--weights', weights), 'zero.png', DEVICE);
  });

  it('batch: a manifest that is a FIFO or /dev/zero; items whose files are a FIFO, /dev/zero or a directory', async () => {
    await expectRefused(['batch', at('fifo-link.png'), '--out', out(), '--emulator'], 'fifo-link.png', FIFO);
    await expectRefused(['batch', at('zero.png'), '--out', out(), '--emulator'], 'zero.png', DEVICE);
    const manifest = at('items.jsonl');
    await writeFile(
      manifest,
      [
        { id: 'a', base: 'fifo.png', prompt: 'x' },
        { id: 'b', base: 'logo.png', ref: 'zero.png' },
        { id: 'c', base: 'logo.png', prompt: 'x', foreground: [{ edge: 'folder.png' }] },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const r = await runCliBounded(['batch', manifest, '--out', out(), '--emulator'], { cwd: tmp, timeoutMs: 30_000 });
    expect(r.killedForTime, r.stderr).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/items\.jsonl:1: .*fifo\.png .*FIFO \(named pipe\), not a regular file/);
    expect(r.stderr).toMatch(/items\.jsonl:2: .*zero\.png .*character device, not a regular file/);
    expect(r.stderr).toMatch(/items\.jsonl:3: .*folder\.png .*directory, not a regular file/);
  });
});

describe.skipIf(skip)('a manifest line longer than any item', () => {
  it('600 MB on line 2: exit 2 naming items:2, no RangeError, bounded memory', async () => {
    const manifest = at('huge-line.jsonl');
    const ws = createWriteStream(manifest);
    ws.write(`${JSON.stringify({ id: 'a', base: 'logo.png', prompt: 'x' })}\n{"id":"b","prompt":"`);
    const chunk = Buffer.alloc(16 * 1024 * 1024, 0x61);
    for (let i = 0; i < 600 / 16; i++) if (!ws.write(chunk)) await new Promise<void>((r) => ws.once('drain', () => r()));
    ws.end(`"}\n${JSON.stringify({ id: 'c', base: 'logo.png', prompt: 'y' })}\n`);
    await new Promise<void>((r) => ws.once('finish', () => r()));
    const r = await runCliBounded(['batch', manifest, '--out', out(), '--emulator'], { cwd: tmp, timeoutMs: 60_000 });
    await rm(manifest);
    console.log(`huge manifest line: exit ${r.code ?? r.signal} in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB`);
    expect(r.killedForMemory, `peak RSS ${r.maxRssKb} KB`).toBe(false);
    expect(r.killedForTime).toBe(false);
    expect(r.stderr).toMatch(/huge-line\.jsonl:2: .*line is \d+ bytes long/);
    expect(r.stderr).not.toMatch(/RangeError|\n\s+at /);
    expect(r.stderr).not.toMatch(/huge-line\.jsonl:[13]:/);
    expect(r.code).toBe(2);
    expect(r.maxRssKb).toBeLessThan(ONE_GB_KB);
  });
});
