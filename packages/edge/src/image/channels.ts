/**
 * Channel plumbing of the recipe: RGB of an RGBA image as stored (Pillow `convert('RGB')`, no compositing),
 * and the grey edge map replicated to RGB (controlnet-aux `HWC3`) with the input's alpha put back (`putalpha`).
 */
import { assertImage, ImageShapeError, type ImageU8 } from './image-buffer.js';

/** R, G, B of an RGBA image exactly as stored: alpha is dropped, colours under transparent pixels kept. */
export function rgbFromRgba(rgba: ImageU8): ImageU8 {
  assertImage(rgba, 'RGBA image');
  if (rgba.channels !== 4) throw new ImageShapeError(`rgbFromRgba needs a 4-channel image, got ${rgba.channels} channels.`);
  const n = rgba.width * rgba.height;
  const out = new Uint8Array(n * 3);
  const s = rgba.data;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 4, o += 3) {
    out[o] = s[i];
    out[o + 1] = s[i + 1];
    out[o + 2] = s[i + 2];
  }
  return { data: out, width: rgba.width, height: rgba.height, channels: 3 };
}

/**
 * Pillow `putalpha` of the recipe: an RGBA image whose R, G and B are the 1-channel `grey` map and whose A is
 * the A of the 4-channel `rgba` image. Sizes must match.
 */
export function withAlpha(grey: ImageU8, rgba: ImageU8): ImageU8 {
  assertImage(grey, 'grey map');
  assertImage(rgba, 'RGBA image');
  if (grey.width !== rgba.width || grey.height !== rgba.height) {
    throw new ImageShapeError(`Cannot put the alpha of a ${rgba.width}×${rgba.height} image on a ${grey.width}×${grey.height} map.`);
  }
  if (grey.channels !== 1) throw new ImageShapeError(`withAlpha needs a 1-channel map, got ${grey.channels} channels.`);
  if (rgba.channels !== 4) throw new ImageShapeError(`withAlpha takes the alpha of a 4-channel image, got ${rgba.channels} channels.`);
  const n = grey.width * grey.height;
  const out = new Uint8Array(n * 4);
  const g = grey.data;
  const a = rgba.data;
  for (let p = 0, o = 0; p < n; p++, o += 4) {
    const v = g[p];
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = a[o + 3];
  }
  return { data: out, width: grey.width, height: grey.height, channels: 4 };
}
