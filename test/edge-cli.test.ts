/**
 * `backdrop edge` end to end: the built CLI (`node packages/cli/dist/main.js`, run `pnpm build`
 * first) in a child process with the tiny golden checkpoint; outputs decoded and compared with the
 * reference pixels; clear one-line errors, exit codes and no partial files for bad inputs/checkpoints.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgba } from '../packages/edge/src/index.js';
import { compareRgba } from './hed-golden-harness.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repoRoot, 'packages', 'cli', 'dist', 'main.js');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'hed');
const weights = path.join(fixtures, 'weights', 'hed-tiny-seed2-fp32.pth');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function backdrop(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, timeout: 110_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-edge-cli-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('backdrop edge', () => {
  it('writes <out>/<name>.png for each input, matching the reference pixels, with per-file progress', async () => {
    const out = path.join(tmp, 'out');
    const inputs = ['coffee-small', 'logo'].map((n) => path.join(fixtures, 'inputs', `${n}.png`));
    const r = await backdrop(['edge', ...inputs, '--out', out, '--weights', weights, '--concurrency', '2']);
    expect(r.stderr).toMatch(/using weights .*hed-tiny-seed2-fp32\.pth .*NOT the real ControlNetHED weights/);
    expect(r.stderr).toMatch(/HED engine: \w+/);
    expect(r.stderr).toMatch(/\[1\/2\] .* → .*\.png/);
    expect(r.stderr).toMatch(/\[2\/2\] /);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['coffee-small.png', 'logo.png']);
    for (const name of ['coffee-small', 'logo']) {
      const got = await decodeRgba(path.join(out, `${name}.png`));
      const want = await decodeRgba(path.join(fixtures, 'expected', 'tiny', `${name}.png`));
      const cmp = compareRgba(got.data, want.data);
      expect(cmp.alphaMismatches).toBe(0);
      expect(cmp.exactFraction).toBeGreaterThanOrEqual(0.999);
      expect(cmp.maxDiff).toBeLessThanOrEqual(2);
    }
    expect(r.stdout.trim().split('\n').sort()).toEqual([path.join(out, 'coffee-small.png'), path.join(out, 'logo.png')]);
  });

  it('processes an input without alpha as opaque, with a warning', async () => {
    const out = path.join(tmp, 'opaque');
    const jpg = path.join(repoRoot, 'examples', 'refs', 'desert.jpg');
    const r = await backdrop(['edge', jpg, '--out', out, '--weights', weights, '--mode', 'softedge-safe', '--detect-resolution', '256', '--image-resolution', '256']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: desert\.jpg has no alpha channel; it is processed as fully opaque/);
    const img = await decodeRgba(path.join(out, 'desert.png'));
    for (let i = 3; i < img.data.length; i += 4) expect(img.data[i]).toBe(255);
  });

  it('fails with one line and exit 2 for a missing file, a non-image or a corrupt checkpoint, leaving no file', async () => {
    const out = path.join(tmp, 'bad');
    const missing = await backdrop(['edge', path.join(tmp, 'nope.png'), '--out', out, '--weights', weights]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^backdrop: \[IMAGE_NOT_FOUND\] Input file not found: .*nope\.png/);

    const text = path.join(tmp, 'notes.png');
    await writeFile(text, 'this is not a picture');
    const notImage = await backdrop(['edge', text, '--out', out, '--weights', weights]);
    expect(notImage.code).toBe(2);
    expect(
      notImage.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('backdrop:')),
    ).toEqual([expect.stringMatching(/^backdrop: \[IMAGE_UNREADABLE\] /)]);
    expect(await readdir(out)).toEqual([]);

    const corrupt = path.join(tmp, 'corrupt.pth');
    const bytes = await readFile(weights);
    await writeFile(corrupt, bytes.subarray(0, 20_000));
    const input = path.join(tmp, 'cutout.png');
    await copyFile(path.join(fixtures, 'inputs', 'coffee-small.png'), input);
    const badWeights = await backdrop(['edge', input, '--out', out, '--weights', corrupt]);
    expect(badWeights.code).toBe(2);
    expect(badWeights.stderr.trim()).toMatch(/^backdrop: \[HED_CHECKPOINT_CORRUPT\] .*corrupt\.pth/);
    expect(await readdir(out)).toEqual([]);
    // A load failure creates no output folder at all.
    const fresh = path.join(tmp, 'never-created');
    expect((await backdrop(['edge', input, '--out', fresh, '--weights', corrupt])).code).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  it('writes the good inputs of a mixed batch, reports the bad one, and exits non-zero', async () => {
    const out = path.join(tmp, 'mixed');
    const text = path.join(tmp, 'broken.png');
    await writeFile(text, 'nope');
    const good = path.join(fixtures, 'inputs', 'coffee-palette.png');
    const r = await backdrop(['edge', good, text, '--out', out, '--weights', weights, '--concurrency', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backdrop: \[IMAGE_UNREADABLE\] .*broken\.png/);
    expect(r.stderr).toMatch(/\[EDGE_INPUTS_FAILED\] 1 of 2 inputs failed/);
    expect(await readdir(out)).toEqual(['coffee-palette.png']);
  });
});
