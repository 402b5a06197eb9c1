/**
 * Access to the HED golden set in ../shared/hed-golden for the kernel tests: inputs, stage images and
 * projection maps, decoded with sharp independently of the code under test.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { ImageF32, ImageU8 } from '../../src/image/image-buffer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (…/packages/edge/test/resize → 4 levels up). */
const repoRoot = path.resolve(here, '..', '..', '..', '..');
export const goldenDir = path.resolve(repoRoot, '..', 'shared', 'hed-golden');
export const goldenAvailable = existsSync(path.join(goldenDir, 'cases.json'));
if (!goldenAvailable) console.log(`[edge tests] HED golden set not found at ${goldenDir}: golden stage tests are skipped.`);

/** A golden case with intermediate stages. */
export interface StagesCase {
  name: string;
  input: string;
  expected: string;
  stages: string;
}

/** Every case of cases.json that has a `.stages` folder. */
export function stagesCases(): StagesCase[] {
  if (!goldenAvailable) return [];
  const cases = JSON.parse(readFileSync(path.join(goldenDir, 'cases.json'), 'utf8')) as {
    cases: Array<{ name: string; input: string; expected: string; stages?: string }>;
  };
  return cases.cases
    .filter((c) => c.stages)
    .map((c) => ({
      name: c.name,
      input: path.join(goldenDir, c.input),
      expected: path.join(goldenDir, c.expected),
      stages: path.join(goldenDir, c.stages as string),
    }));
}

/** Decodes an 8-bit PNG with sharp into its stored channels (grey stays 1 channel). */
export async function readPngRaw(file: string): Promise<ImageU8> {
  const meta = await sharp(file).metadata();
  const image = meta.channels === 1 ? sharp(file).extractChannel(0) : sharp(file);
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

/** The five float32 projection maps of a stages folder (p1 first). */
export function readProjections(stagesDir: string): ImageF32[] {
  const meta = JSON.parse(readFileSync(path.join(stagesDir, '2-projections.json'), 'utf8')) as { projections: Array<[number, number]> };
  const bytes = readFileSync(path.join(stagesDir, '2-projections.f32'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let at = 0;
  return meta.projections.map(([h, w]) => {
    const data = all.slice(at, at + h * w);
    at += h * w;
    return { data, width: w, height: h, channels: 1 };
  });
}

/** One channel of an image as a 1-channel image. */
export function channelOf(img: ImageU8, c: number): ImageU8 {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) out[p] = img.data[p * img.channels + c];
  return { data: out, width: img.width, height: img.height, channels: 1 };
}

/** Mismatch summary of two images: count of differing values, largest difference, first differing index. */
export function diffImages(a: ImageU8, b: ImageU8): { shape: boolean; mismatches: number; maxDiff: number; first: number } {
  const shape = a.width === b.width && a.height === b.height && a.channels === b.channels;
  if (!shape) return { shape, mismatches: -1, maxDiff: -1, first: -1 };
  let mismatches = 0;
  let maxDiff = 0;
  let first = -1;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (d) {
      mismatches++;
      if (first < 0) first = i;
      if (d > maxDiff) maxDiff = d;
    }
  }
  return { shape, mismatches, maxDiff, first };
}
