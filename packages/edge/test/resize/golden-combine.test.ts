/**
 * `combineProjections` against the golden stages: the five float32 projections (2-projections.f32),
 * resized with float32 INTER_LINEAR, averaged in float32, sigmoid in float64 and truncated, must give
 * 3-edge.png bit for bit; with safe_step, the golden safe/coffee output. A float64 bilinear must differ,
 * so the exact match really depends on the float32 steps.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineProjections } from '../../src/hed/combine-projections.js';
import { resizeLinearF32 } from '../../src/resize/opencv-linear.js';
import { rgbFromRgba } from '../../src/image/channels.js';
import { resizeBicubicPillowU8 } from '../../src/resize/pillow-bicubic.js';
import { channelOf, diffImages, goldenAvailable, goldenDir, readPngRaw, readProjections, stagesCases } from './golden-stages.js';

const cases = stagesCases();

describe.skipIf(!goldenAvailable)('golden stages: projection combine', () => {
  for (const c of cases) {
    it(`${c.name}: combineProjections(2-projections) equals 3-edge.png bit for bit`, async () => {
      const projections = readProjections(c.stages);
      expect(projections).toHaveLength(5);
      const edge = combineProjections(projections, { safe: false });
      const expected = await readPngRaw(path.join(c.stages, '3-edge.png'));
      expect(diffImages(edge, expected)).toEqual({ shape: true, mismatches: 0, maxDiff: 0, first: -1 });
    });
  }

  it('safe/coffee: combine with safe_step, then Pillow BICUBIC back, equals expected/safe/coffee.png (same weights and input as full/coffee)', async () => {
    const coffee = cases.find((c) => c.name === 'full/coffee');
    expect(coffee).toBeDefined();
    const edge = combineProjections(readProjections(coffee!.stages), { safe: true });
    expect(new Set(edge.data)).toEqual(new Set([0, 127, 255]));
    const expected = await readPngRaw(path.join(goldenDir, 'expected', 'safe', 'coffee.png'));
    const back = resizeBicubicPillowU8(edge, expected.width, expected.height);
    const rgb = rgbFromRgba(expected);
    for (let c = 0; c < 3; c++) expect(diffImages(back, channelOf(rgb, c))).toEqual({ shape: true, mismatches: 0, maxDiff: 0, first: -1 });
  });

  it('the float32 INTER_LINEAR ×2 upscale of p2 is close to, but not identical with, a float64 bilinear', () => {
    const [p1, p2] = readProjections(cases[0].stages);
    const up = resizeLinearF32(p2, p1.width, p1.height);
    // Reference bilinear in float64 with the same coordinates: must be close, but not identical everywhere.
    let maxAbs = 0;
    let scale = 0;
    let differing = 0;
    for (let y = 0; y < p1.height; y++) {
      const fy = Math.max(0, (y + 0.5) / 2 - 0.5);
      const y0 = Math.min(Math.floor(fy), p2.height - 1);
      const y1 = Math.min(y0 + 1, p2.height - 1);
      const wy = fy - Math.floor(fy);
      for (let x = 0; x < p1.width; x++) {
        const fx = Math.max(0, (x + 0.5) / 2 - 0.5);
        const x0 = Math.min(Math.floor(fx), p2.width - 1);
        const x1 = Math.min(x0 + 1, p2.width - 1);
        const wx = x0 === p2.width - 1 ? 0 : fx - Math.floor(fx);
        const at = (yy: number, xx: number): number => p2.data[yy * p2.width + xx];
        const v = (1 - wy) * ((1 - wx) * at(y0, x0) + wx * at(y0, x1)) + wy * ((1 - wx) * at(y1, x0) + wx * at(y1, x1));
        const got = up.data[y * p1.width + x];
        if (got !== Math.fround(v)) differing++;
        maxAbs = Math.max(maxAbs, Math.abs(got - v));
        scale = Math.max(scale, Math.abs(v));
      }
    }
    expect(maxAbs).toBeLessThan(scale * 1e-6);
    expect(differing).toBeGreaterThan(0);
  });
});
