/**
 * End-to-end: what a newcomer trips on (issue 10, section 4, and the symlink item of section 3), with the
 * built CLI as a child process, real files and the in-process emulator: a misspelled command, a folder
 * input with stray files, `status`/`cancel` with an unknown id or `--emulator`, the missing-weights
 * error, and links planted in `--out`.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliUnavailableReason, examplesDir, runCli, startCliEmulator, type CliEmulator } from './fixtures/cli/cli-harness.js';

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`skipping CLI newcomer tests: ${skipReason}`);

const cutouts = ['cup', 'lotion', 'plant'];
let tmp: string;

/** A folder of `names` cut-outs (copies of the examples) plus `extra` files with the given contents. */
async function cutoutFolder(name: string, names: string[], extra: Record<string, string> = {}): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const n of names) await copyFile(path.join(examplesDir, 'cutouts', `${n}.png`), path.join(dir, `${n}.png`));
  for (const [file, text] of Object.entries(extra)) await writeFile(path.join(dir, file), text);
  return dir;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe.skipIf(skipReason !== undefined)('backdrop for a newcomer (e2e)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-cli-newcomer-'));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('suggests the command meant by a misspelled one, in one line, exit 2', async () => {
    const r = await runCli(['statsu', 'abc']);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/^backdrop: unknown command "statsu"; did you mean `backdrop status`\?/);
    const batch = await runCli(['bach', 'x']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('did you mean `backdrop batch`?');
  });

  it('folder input: one warning names the skipped non-PNG files; a missing prompt is said once, in flag names', async () => {
    const dir = await cutoutFolder('no-prompt', cutouts, { 'notes.txt': 'shoot list', 'photo.jpg': 'not really a jpeg', '.DS_Store': '' });
    const r = await runCli(['batch', dir, '--emulator', '--out', path.join(tmp, 'out-no-prompt')]);
    expect(r.code, r.stderr).toBe(2);
    const warnings = lines(r.stderr).filter((l) => l.startsWith('warning:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('skipping 2 files');
    expect(warnings[0]).toContain('notes.txt, photo.jpg');
    expect(warnings[0]).not.toContain('.DS_Store');
    expect(r.stderr).toContain(`--prompt or --ref is required for every item: ${cutouts.length} items have neither`);
    expect(r.stderr.match(/required for every item/g)).toHaveLength(1);
    // No wire field names, no `folder:1:` positions.
    expect(r.stderr).not.toContain('ref_image_url');
    expect(r.stderr).not.toMatch(new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:`));
  });

  it('folder input: a bad file is named by its path', async () => {
    const dir = await cutoutFolder('bad-file', ['cup'], { 'broken.png': 'not a png at all' });
    const r = await runCli(['batch', dir, '--emulator', '--prompt', 'on a marble counter', '--out', path.join(tmp, 'out-bad-file')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'broken.png')}: [broken] base:`);
    expect(r.stderr).toMatch(/\(not_an_image\)/);
  });

  it('folder input with a stray file still runs the PNGs (warn and skip)', async () => {
    const dir = await cutoutFolder('stray', ['cup'], { 'readme.txt': 'x' });
    const out = path.join(tmp, 'out-stray');
    const r = await runCli(['batch', dir, '--emulator', '--prompt', 'on a marble counter', '--out', out], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^warning: .*skipping 1 file that is not a regular \.png file: readme\.txt/m);
    expect((await readdir(path.join(out, 'cup'))).some((f) => /^result-0\.png$/.test(f))).toBe(true);
  }, 150_000);

  it('status/cancel --emulator are refused with what to do instead, exit 2', async () => {
    for (const command of ['status', 'cancel']) {
      const r = await runCli([command, 'b2e98d78-0000-0000-0000-000000000000', '--emulator']);
      expect(r.code, r.stderr).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^backdrop: \[EMULATOR_HAS_NO_TASKS\] /);
      expect(r.stderr).toContain('backdrop emulator');
      expect(r.stderr).toContain('DASHSCOPE_HTTP_BASE_URL');
    }
  });

  describe('against a `backdrop emulator`', () => {
    let emulator: CliEmulator;
    beforeAll(async () => {
      emulator = await startCliEmulator();
    });
    afterAll(async () => {
      await emulator?.stop();
    });

    it('status of an unknown task exits 1 with one line saying why', async () => {
      const r = await runCli(['status', 'b2e98d78-0000-0000-0000-000000000000', '--base-url', emulator.baseUrl, '--api-key', 'k']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/UNKNOWN/);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^backdrop: \[TASK_NOT_FOUND\] task b2e98d78-0000-0000-0000-000000000000 is UNKNOWN/);
      const json = await runCli(['status', 'b2e98d78-0000-0000-0000-000000000000', '--json', '--base-url', emulator.baseUrl, '--api-key', 'k']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ status: 'UNKNOWN' });
    });
  });

  it('the missing-weights errors point at the bundled demo weights', async () => {
    const cup = path.join(examplesDir, 'cutouts', 'cup.png');
    const missing = await runCli(['edge', cup, '--out', path.join(tmp, 'edges'), '--weights', path.join(tmp, 'no-such.pth')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^backdrop: \[HED_WEIGHTS_NOT_FOUND\]/);
    expect(missing.stderr).toContain('--weights examples/weights/hed-demo-tiny.pth');
    expect(missing.stderr).toContain('plumbing only');
    const cache = path.join(tmp, 'empty-cache');
    const offline = await runCli(['edge', cup, '--out', path.join(tmp, 'edges')], {
      env: cleanEnv({ HF_HUB_OFFLINE: '1', XDG_CACHE_HOME: cache, HOME: cache }),
    });
    expect(offline.code).toBe(2);
    expect(lines(offline.stderr)).toHaveLength(1);
    expect(offline.stderr).toMatch(/^backdrop: \[HED_WEIGHTS_UNAVAILABLE\]/);
    expect(offline.stderr).toContain('--weights examples/weights/hed-demo-tiny.pth');
  });

  it('refuses an item folder or state folder in --out that is a symlink, and writes nothing where it points', async () => {
    const dir = await cutoutFolder('linked', ['cup']);
    for (const planted of ['cup', '.backdrop']) {
      const out = path.join(tmp, `out-linked-${planted}`);
      const target = path.join(tmp, `target-${planted}`);
      await mkdir(out, { recursive: true });
      await mkdir(target, { recursive: true });
      await symlink(target, path.join(out, planted));
      const r = await runCli(['batch', dir, '--emulator', '--prompt', 'on a marble counter', '--out', out], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^backdrop: \[OUTPUT_SYMLINK\] .* is a symbolic link/);
      expect(await readdir(target)).toEqual([]);
    }
  }, 150_000);
});
