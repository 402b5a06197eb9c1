/**
 * The resize kernels against the golden stage data, bit for bit:
 * - `resize_image(rgb, 512)` (Lanczos4 up, integer and fractional INTER_AREA, area-mode linear) → 1-resized.png;
 * - Pillow BICUBIC of 4-map.png back to the input size → the golden output's R, G, B.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeRgba } from '../../src/image/decode-rgba.js';
import { rgbFromRgba } from '../../src/image/channels.js';
import { resizeImageForDetection } from '../../src/resize/resize-image.js';
import { resizeBicubicPillowU8 } from '../../src/resize/pillow-bicubic.js';
import { diffImages, goldenAvailable, readPngRaw, stagesCases } from './golden-stages.js';

const cases = stagesCases();

describe.skipIf(!goldenAvailable)('golden stages: resize kernels', () => {
  it('finds the seven stages cases', () => {
    expect(cases.map((c) => c.name).sort()).toEqual([
      'full/coffee',
      'full/coffee-large',
      'full/coffee-small',
      'full/element-cat-on-canvas',
      'full/logo',
      'full/logo-512x700',
      'full/retina-circle',
    ]);
  });

  for (const c of cases) {
    it(`${c.name}: resize_image(rgb, 512) equals 1-resized.png bit for bit`, async () => {
      const input = await decodeRgba(c.input);
      const resized = resizeImageForDetection(rgbFromRgba(input), 512);
      const expected = await readPngRaw(path.join(c.stages, '1-resized.png'));
      expect(diffImages(resized, expected)).toEqual({ shape: true, mismatches: 0, maxDiff: 0, first: -1 });
    });

    it(`${c.name}: Pillow BICUBIC of 4-map.png to the input size equals the golden RGB`, async () => {
      const map = await readPngRaw(path.join(c.stages, '4-map.png'));
      const golden = await readPngRaw(c.expected);
      expect(golden.channels).toBe(4);
      const back = resizeBicubicPillowU8(map, golden.width, golden.height);
      const goldenRgb = rgbFromRgba(golden);
      expect(diffImages(back, goldenRgb)).toEqual({ shape: true, mismatches: 0, maxDiff: 0, first: -1 });
    });
  }
});
