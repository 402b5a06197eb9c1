/**
 * Pieces of the emulator's set, decoded pixel by pixel: the subject footprint and the emptiest band for
 * titles, the floor reflection (mirrored subject, fading), and variant looks that differ in composition.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { floorReflection } from '../src/images/floor-reflection.js';
import { variantLook } from '../src/images/stage-look.js';
import { emptiestBand, measureSubject } from '../src/images/subject-footprint.js';

const W = 100;
const H = 80;

/** Raw RGBA: an opaque block (red top half, blue bottom half) in rows top..bottom, columns 30..69. */
function block(top: number, bottom: number): Buffer {
  const data = Buffer.alloc(W * H * 4);
  for (let y = top; y <= bottom; y++) {
    for (let x = 30; x < 70; x++) {
      const i = (y * W + x) * 4;
      const upper = y < (top + bottom) / 2;
      data.set(upper ? [220, 20, 20, 255] : [20, 20, 220, 255], i);
    }
  }
  return data;
}

describe('subject footprint', () => {
  it('finds the box and the band the subject covers least', async () => {
    const low = await measureSubject(block(40, 75), W, H, W, H);
    expect(low.box).toEqual({ left: 30, top: 40, right: 69, bottom: 75 });
    expect(emptiestBand(low, 24)).toEqual({ top: 0, height: 24 });
    const high = await measureSubject(block(2, 40), W, H, W, H);
    const band = emptiestBand(high, 24);
    expect(band.top).toBeGreaterThan(40);
    expect(band.top + band.height).toBeLessThanOrEqual(H);
  });
});

describe('floor reflection', () => {
  it("mirrors the subject's lower part below its base, strongest at the base, fading to nothing", async () => {
    const footprint = await measureSubject(block(10, 50), W, H, W, H);
    const overlay = await floorReflection(footprint, 0.3);
    expect(overlay).toBeDefined();
    expect(overlay!.top).toBe(51);
    expect(overlay!.left).toBe(30);
    const { data, info } = await sharp(overlay!.input as Buffer)
      .raw()
      .toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)];
    const [r, , b, a] = at(info.width / 2, 1);
    expect(b).toBeGreaterThan(r + 100); // the blue bottom half, mirrored
    expect(a).toBeGreaterThan(0.2 * 255);
    expect(a).toBeLessThanOrEqual(0.31 * 255);
    expect(at(info.width / 2, info.height - 1)[3]).toBeLessThan(20);
  });

  it('is left out when the subject stands on the bottom edge', async () => {
    expect(await floorReflection(await measureSubject(block(10, H - 1), W, H, W, H), 0.3)).toBeUndefined();
  });
});

describe('variant looks', () => {
  it('the first three variants differ in camera height and backdrop; a seed always gives the same looks', () => {
    for (const seed of [1, 2, 3, 99]) {
      const looks = [0, 1, 2].map((i) => variantLook(seed, i));
      const horizons = looks.map((l) => l.horizonRise);
      expect(Math.max(...horizons) - Math.min(...horizons)).toBeGreaterThan(0.25);
      expect(new Set(looks.map((l) => l.backdrop)).size).toBe(3);
      expect(looks.map((l) => l.lightSide)).toContain(-1);
      expect(looks.map((l) => l.lightSide)).toContain(1);
      expect(variantLook(seed, 1)).toEqual(looks[1]);
    }
  });
});
