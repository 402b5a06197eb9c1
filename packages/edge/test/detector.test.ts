/**
 * HEDdetector plumbing with the tiny checkpoint: map sizes for detect/image resolutions (controlnet-aux
 * `resize_image` of the detection-sized image), scribble maps are binary, option validation, and the
 * RGBA edge element keeps the input's size and alpha.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHed, type Hed } from '../src/hed.js';
import { rgbFromRgba } from '../src/image/channels.js';
import { decodeRgba, type DecodedRgba } from '../src/image/decode-rgba.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '..', '..', '..', 'test', 'fixtures', 'hed');
const weights = path.join(fixtures, 'weights', 'hed-tiny-seed2-fp32.pth');

let hed: Hed;
let coffee: DecodedRgba; // 150×100

beforeAll(async () => {
  hed = await loadHed({ weights, download: false });
  coffee = await decodeRgba(path.join(fixtures, 'inputs', 'coffee-small.png'));
});
afterAll(() => hed.dispose());

describe('hed.detect', () => {
  it('returns a single-channel map at the image-resolution size of the detection-sized image', async () => {
    const rgb = rgbFromRgba(coffee);
    // 150×100 at 512: k = 5.12 → 768×512; at image resolution 256: k = 0.5 → 384×256.
    const map = await hed.detect(rgb, { detectResolution: 512, imageResolution: 256 });
    expect([map.width, map.height, map.channels]).toEqual([384, 256, 1]);
    const same = await hed.detect(rgb);
    expect([same.width, same.height, same.channels]).toEqual([768, 512, 1]);
    // 150×100 at 128: k = 1.28 → 192×128.
    const small = await hed.detect(rgb, { detectResolution: 128, imageResolution: 128 });
    expect([small.width, small.height]).toEqual([192, 128]);
  });

  it('gives binary maps (0 or 255) in scribble modes', async () => {
    for (const mode of ['scribble', 'scribble-safe'] as const) {
      const map = await hed.detect(rgbFromRgba(coffee), { mode, detectResolution: 256, imageResolution: 256 });
      expect(
        map.data.every((v) => v === 0 || v === 255),
        mode,
      ).toBe(true);
    }
  });

  it('rejects bad options with user errors', async () => {
    const rgb = rgbFromRgba(coffee);
    await expect(hed.detect(rgb, { mode: 'canny' as never })).rejects.toMatchObject({ code: 'HED_OPTION_INVALID', userError: true });
    await expect(hed.detect(rgb, { detectResolution: 0 })).rejects.toMatchObject({ code: 'HED_OPTION_INVALID' });
    await expect(hed.detect(rgb, { imageResolution: 512.5 })).rejects.toMatchObject({ code: 'HED_OPTION_INVALID' });
  });
});

describe('hed.edgeElementFromImage', () => {
  it('keeps the input size and alpha, with the map in R = G = B', async () => {
    const r = await hed.edgeElementFromImage(coffee, { detectResolution: 256, imageResolution: 256 });
    expect(r.warnings).toEqual([]);
    const out = await decodeRgba(r.png);
    expect([out.width, out.height, r.width, r.height]).toEqual([150, 100, 150, 100]);
    for (let i = 0; i < out.data.length; i += 4) {
      expect(out.data[i + 3]).toBe(coffee.data[i + 3]);
      expect(out.data[i + 1]).toBe(out.data[i]);
      expect(out.data[i + 2]).toBe(out.data[i]);
    }
  });
});
