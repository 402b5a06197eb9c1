/**
 * encodeRgbaPng is lossless (checked with the independent test decoder, including colours under fully
 * transparent pixels), and the channel helpers split and join exactly as the recipe needs.
 */
import { describe, expect, it } from 'vitest';
import { rgbFromRgba, withAlpha } from '../../src/image/channels.js';
import { encodeRgbaPng } from '../../src/image/encode-png.js';
import { ImageShapeError, type ImageU8 } from '../../src/image/image-buffer.js';
import { decodePngRaw } from './png-test-codec.js';

function noise(width: number, height: number, channels: number, seed: number): ImageU8 {
  const data = new Uint8Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width, height, channels };
}

describe('encodeRgbaPng', () => {
  it('round-trips every byte, also RGB under alpha = 0', async () => {
    const img = noise(37, 23, 4, 7);
    for (let p = 0; p < 37 * 23; p += 3) img.data[p * 4 + 3] = 0;
    const png = await encodeRgbaPng(img);
    const raw = decodePngRaw(png);
    expect([raw.width, raw.height, raw.colorType, raw.bitDepth]).toEqual([37, 23, 6, 8]);
    expect(Array.from(raw.samples)).toEqual(Array.from(img.data));
  });

  it('refuses images that are not 4-channel', async () => {
    await expect(encodeRgbaPng(noise(2, 2, 3, 1))).rejects.toMatchObject({ code: 'IMAGE_ENCODE_FAILED' });
  });
});

describe('channels', () => {
  it('rgbFromRgba keeps stored colours (no compositing)', () => {
    const rgba: ImageU8 = { data: Uint8Array.from([10, 20, 30, 0, 40, 50, 60, 255]), width: 2, height: 1, channels: 4 };
    expect(Array.from(rgbFromRgba(rgba).data)).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('withAlpha replicates the grey map to R, G, B and takes A from the RGBA image (HWC3 + putalpha)', () => {
    const grey: ImageU8 = { data: Uint8Array.from([7, 9]), width: 2, height: 1, channels: 1 };
    const rgba: ImageU8 = { data: Uint8Array.from([1, 2, 3, 100, 4, 5, 6, 200]), width: 2, height: 1, channels: 4 };
    expect(Array.from(withAlpha(grey, rgba).data)).toEqual([7, 7, 7, 100, 9, 9, 9, 200]);
    expect(() => withAlpha(grey, { ...rgba, width: 1, data: rgba.data.subarray(0, 4) })).toThrow(ImageShapeError);
    expect(() => withAlpha(rgbFromRgba(rgba), rgba)).toThrow(ImageShapeError);
  });
});
