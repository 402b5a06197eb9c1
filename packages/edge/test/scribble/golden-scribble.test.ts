/**
 * Scribble against the golden set without the network: scribble/coffee uses the same weights and input as
 * full/coffee, whose 3-edge.png is the map scribble starts from (detect and image resolution 512: the
 * second resize is an identity). scribble(3-edge) → Pillow BICUBIC to the input size → must match
 * expected/scribble/coffee.png (R, G, B; its alpha is the input's).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scribble } from '../../src/hed/scribble.js';
import { rgbFromRgba } from '../../src/image/channels.js';
import { resizeBicubicPillowU8 } from '../../src/resize/pillow-bicubic.js';
import { channelOf, diffImages, goldenAvailable, goldenDir, readPngRaw } from '../resize/golden-stages.js';

describe.skipIf(!goldenAvailable)('golden: scribble/coffee from full/coffee 3-edge.png', () => {
  it('matches bit for bit (the case allows 0.1 % of pixels to differ)', async () => {
    const edge = await readPngRaw(path.join(goldenDir, 'expected', 'full', 'coffee.stages', '3-edge.png'));
    expect(edge.channels).toBe(1);
    const map = scribble(edge);
    expect(new Set(map.data)).toEqual(new Set([0, 255]));
    const expected = await readPngRaw(path.join(goldenDir, 'expected', 'scribble', 'coffee.png'));
    const back = resizeBicubicPillowU8(map, expected.width, expected.height);
    const rgb = rgbFromRgba(expected);
    for (let c = 0; c < 3; c++) {
      const d = diffImages(back, channelOf(rgb, c));
      expect(d.shape).toBe(true);
      console.log(`[scribble/coffee] channel ${c}: ${d.mismatches} of ${back.data.length} values differ (max ${d.maxDiff})`);
      expect(d.mismatches).toBe(0);
    }
  });
});
