/**
 * End-to-end: `backdrop retitle` as a child process on item folders made by `backdrop generate --emulator`
 * (itself a child process whose in-process emulator is gone when retitle runs). A trap server stands where
 * the service would be and counts requests: retitle sends none. Output images are decoded and checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cliUnavailableReason, examplesDir, runCli, sharp } from './fixtures/cli/cli-harness.js';

const skipReason = cliUnavailableReason();
if (skipReason) console.warn(`skipping CLI retitle tests: ${skipReason}`);

const cup = path.join(examplesDir, 'cutouts', 'cup.png');
let tmp: string;
let titled: string;
let untitled: string;
let trap: Server;
let trapRequests = 0;
let trapEnv: NodeJS.ProcessEnv;

async function rgb(file: string): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
describe.skipIf(skipReason !== undefined)('backdrop retitle (e2e)', () => {
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-retitle-'));
    titled = path.join(tmp, 'titled');
    untitled = path.join(tmp, 'untitled');
    const made = await runCli([
      'generate',
      '--emulator',
      '--base',
      cup,
      '--prompt',
      '木桌上，窗边阳光',
      '--title',
      '分享好时光',
      '--subtitle',
      '只为不一样的你',
      '-n',
      '2',
      '--out',
      titled,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const plainOnly = await runCli(['generate', '--emulator', '--base', cup, '--prompt', '木桌上', '--out', untitled]);
    expect(plainOnly.code, plainOnly.stderr).toBe(0);
    trap = createServer((req, res) => {
      trapRequests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapEnv = cleanEnv({
      DASHSCOPE_API_KEY: 'sk-trap-never-used',
      DASHSCOPE_HTTP_BASE_URL: `http://127.0.0.1:${(trap.address() as AddressInfo).port}/api/v1`,
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (trap ? trap.close(() => resolve()) : resolve()));
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('writes retitled-<i>.png for every variant: the new title in the title box, the rest of the image unchanged, no request sent', async () => {
    const r = await runCli(['retitle', titled, '--title', '春日新品', '--subtitle', '限时特惠'], { env: trapEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(trapRequests).toBe(0);
    const names = await readdir(titled);
    expect(names.filter((n) => n.startsWith('retitled-')).sort()).toEqual(['retitled-0.png', 'retitled-1.png']);
    expect(names.some((n) => n.includes('.tmp-'))).toBe(false);
    expect(r.stdout.trim().split('\n')).toEqual([path.join(titled, 'retitled-0.png'), path.join(titled, 'retitled-1.png')]);
    const task = JSON.parse(await readFile(path.join(titled, 'task.json'), 'utf8'));
    for (const i of [0, 1]) {
      const plainName = names.find((n) => n.startsWith(`plain-${i}.`))!;
      const plain = await rgb(path.join(titled, plainName));
      const out = await rgb(path.join(titled, `retitled-${i}.png`));
      const original = await rgb(
        path.join(
          titled,
          names.find((n) => n.startsWith(`result-${i}.`))!,
        ),
      );
      expect([out.width, out.height]).toEqual([plain.width, plain.height]);
      const layers = task.response.output.text_results.params[i].layers as any[];
      const boxes = layers.map((l) => ({ left: l.left, top: l.top, right: l.left + l.width, bottom: l.top + l.height }));
      // Every pixel below all layer boxes (and their few-pixel shadows) equals the plain image exactly.
      const below = Math.max(...boxes.map((b) => b.bottom)) + 4;
      expect(below).toBeLessThan(plain.height - 10);
      expect(out.data.subarray(below * plain.width * 3).equals(plain.data.subarray(below * plain.width * 3))).toBe(true);
      // In the title box the retitled image differs from both the plain image and the original result.
      const title = layers.find((l) => l.sub_type === 'Title');
      let vsPlain = 0;
      let vsOriginal = 0;
      for (let y = title.top; y < title.top + title.height; y++) {
        for (let x = title.left; x < title.left + title.width; x++) {
          const p = (y * plain.width + x) * 3;
          vsPlain += Math.abs(out.data[p] - plain.data[p]);
          vsOriginal += Math.abs(out.data[p] - original.data[p]) > 40 ? 1 : 0;
        }
      }
      expect(vsPlain / (title.width * title.height)).toBeGreaterThan(10);
      expect(vsOriginal).toBeGreaterThan(200);
    }
  });

  it('--format svg writes an editable SVG with the new title, its font family and the embedded plain image', async () => {
    const r = await runCli(['retitle', titled, '--title', '夏日清凉', '--format', 'svg'], { env: trapEnv });
    expect(r.code, r.stderr).toBe(0);
    expect(trapRequests).toBe(0);
    const svg = await readFile(path.join(titled, 'retitled-0.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('>夏日清凉</tspan>');
    expect(svg).toContain('>只为不一样的你</tspan>'); // the sub-title is kept
    const task = JSON.parse(await readFile(path.join(titled, 'task.json'), 'utf8'));
    expect(svg).toContain(`'${task.response.output.text_results.params[0].layers[1].font_family}', 'Noto Sans Hans'`);
    expect(svg).toMatch(/xlink:href="data:image\/png;base64,/);
    // It renders (skia's SVG decoder through sharp is not available; the size is read back from the root).
    expect(svg).toMatch(new RegExp(`<svg [^>]*width="${(await sharp(path.join(titled, 'plain-0.png')).metadata()).width}"`));
  });

  it('one-line user errors, exit 2: no task.json, a task without text layers, a title too long or empty, a missing sub-title layer', async () => {
    const cases: [string[], RegExp][] = [
      [['retitle', path.join(tmp, 'nowhere'), '--title', '标题'], /^backdrop: \[TASK_RECORD_MISSING\] .*task\.json not found/],
      [['retitle', untitled, '--title', '标题'], /^backdrop: \[NO_TEXT_LAYERS\] /],
      [['retitle', titled, '--title', '一二三四五六七八九'], /^backdrop: \[TITLE_LENGTH\] --title must be 1–8 characters/],
      [['retitle', titled, '--title', ''], /^backdrop: \[TITLE_LENGTH\] /],
      [['retitle', titled, '--title', '标题', '--subtitle', '一二三四五六七八九十一'], /^backdrop: \[TITLE_LENGTH\] --subtitle must be 1–10/],
      [['retitle', titled, '--title', '标题', '--font-dir', path.join(tmp, 'no-fonts-here')], /^backdrop: \[LAYERS_FONT_DIR\] The font folder .* does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env: trapEnv });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    // A task whose layers have no sub-title: asking for one names the problem.
    const noSub = path.join(tmp, 'nosub');
    const made = await runCli(['generate', '--emulator', '--base', cup, '--prompt', 'x', '--title', '标题', '--out', noSub]);
    expect(made.code, made.stderr).toBe(0);
    const r = await runCli(['retitle', noSub, '--title', '新', '--subtitle', '副标题'], { env: trapEnv });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^backdrop: \[LAYERS_NO_SUBTITLE_LAYER\] /);
    // A corrupted task.json is named, not a stack trace.
    await writeFile(path.join(noSub, 'task.json'), '{ not json');
    const bad = await runCli(['retitle', noSub, '--title', '新'], { env: trapEnv });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^backdrop: \[TASK_RECORD_INVALID\] /);
    expect(trapRequests).toBe(0);
  });
});
