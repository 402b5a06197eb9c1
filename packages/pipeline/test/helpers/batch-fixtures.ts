/**
 * Fixtures for batch tests: small real RGBA PNGs, manifests, an emulator, and the built CLI as a
 * child process.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { cleanEnv, cliUnavailableReason, examplesDir, spawnCli, type CliResult } from '../../../../test/fixtures/cli/cli-harness.js';

export { repoRoot } from '../../../../test/fixtures/cli/cli-harness.js';
export const tinyWeights = path.join(examplesDir, 'weights', 'hed-demo-tiny.pth');

export function tmpDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `backdrop-${prefix}-`));
}

/** An RGBA PNG: transparent, with an opaque `color` rectangle in the middle half. */
export async function writeCutout(file: string, width: number, height: number, color: [number, number, number]): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const px = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= width / 4 && x < (3 * width) / 4 && y >= height / 4 && y < (3 * height) / 4;
      const i = (y * width + x) * 4;
      if (inside) {
        px[i] = color[0];
        px[i + 1] = color[1];
        px[i + 2] = color[2];
        px[i + 3] = 255;
      }
    }
  }
  await sharp(px, { raw: { width, height, channels: 4 } })
    .png()
    .toFile(file);
}

/** An opaque JPEG (a reference image). */
export async function writeJpeg(file: string, width: number, height: number, color: [number, number, number]): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await sharp({ create: { width, height, channels: 3, background: { r: color[0], g: color[1], b: color[2] } } })
    .jpeg()
    .toFile(file);
}

/** Writes a manifest: objects become JSON lines, strings are written as they are. */
export function writeManifest(file: string, lines: (object | string)[]): void {
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
}

/** A catalogue of `count` items (distinct colours) in `dir`, with manifest `dir/manifest.jsonl`. */
export async function writeCatalogue(dir: string, count: number, extra: (i: number) => object = () => ({})): Promise<{ manifest: string; colors: [number, number, number][] }> {
  const colors: [number, number, number][] = [];
  const lines: object[] = [];
  for (let i = 0; i < count; i++) {
    const c: [number, number, number] = [(40 + i * 53) % 256, (200 - i * 31 + 256) % 256, (90 + i * 71) % 256];
    colors.push(c);
    await writeCutout(path.join(dir, 'cutouts', `p${i}.png`), 64, 48, c);
    lines.push({ id: `sku-${i}`, base: `cutouts/p${i}.png`, prompt: `product ${i} on a table`, ...extra(i) });
  }
  const manifest = path.join(dir, 'manifest.jsonl');
  writeManifest(manifest, lines);
  return { manifest, colors };
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** Why the CLI tests of `suite` cannot run (the CLI is not built), logged; undefined when they can. */
export function cliSkipReason(suite: string): string | undefined {
  const reason = cliUnavailableReason();
  if (reason) console.log(`${suite} skipped: ${reason}`);
  return reason;
}

/** Starts the built CLI with `args` (the repository's CLI harness; DASHSCOPE_* variables removed, `env` added). */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const run = spawnCli(args, { env: cleanEnv(env) });
  return { child: run.child, done: run.exited };
}

/** Runs the built CLI to the end. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Largest number of tasks running at once, from the emulator's timeline (per key when given). */
export function maxConcurrentRunning(timeline: { key: string; startedAt: number | null; endedAt: number | null }[], key?: string): number {
  const events: [number, number][] = [];
  for (const t of timeline) {
    if (key && t.key !== key) continue;
    if (t.startedAt === null) continue;
    events.push([t.startedAt, 1], [t.endedAt ?? Number.MAX_SAFE_INTEGER, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let cur = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (cur += d));
  return max;
}

/** Mean of the RGB of the centre 4×4 pixels of an image file. */
export async function centreColour(file: string): Promise<[number, number, number]> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const cx = Math.floor(info.width / 2);
  const cy = Math.floor(info.height / 2);
  const sum = [0, 0, 0];
  for (let y = cy - 2; y < cy + 2; y++) for (let x = cx - 2; x < cx + 2; x++) for (let c = 0; c < 3; c++) sum[c] += data[(y * info.width + x) * info.channels + c];
  return sum.map((s) => s / 16) as [number, number, number];
}
