/**
 * Channel plumbing of the recipe: RGB of an RGBA image as stored (Pillow `convert('RGB')`, no compositing),
 * putting an alpha channel back (`putalpha`), and controlnet-aux `HWC3` replication of a grey map.
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

/** The alpha channel of an RGBA image as a 1-channel image. */
export function alphaOf(rgba: ImageU8): ImageU8 {
  assertImage(rgba, 'RGBA image');
  if (rgba.channels !== 4) throw new ImageShapeError(`alphaOf needs a 4-channel image, got ${rgba.channels} channels.`);
  const n = rgba.width * rgba.height;
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) out[p] = rgba.data[p * 4 + 3];
  return { data: out, width: rgba.width, height: rgba.height, channels: 1 };
}

/**
 * Pillow `putalpha`: an RGBA image from `color` (1 channel: grey replicated to R, G, B; 3 channels: RGB)
 * and `alpha` (1 channel, or 4 channels whose A is taken). Sizes must match.
 */
export function withAlpha(color: ImageU8, alpha: ImageU8): ImageU8 {
  assertImage(color, 'colour image');
  assertImage(alpha, 'alpha image');
  if (color.width !== alpha.width || color.height !== alpha.height) {
    throw new ImageShapeError(`Cannot put a ${alpha.width}×${alpha.height} alpha on a ${color.width}×${color.height} image.`);
  }
  if (color.channels !== 1 && color.channels !== 3) throw new ImageShapeError(`withAlpha needs a 1- or 3-channel colour image, got ${color.channels}.`);
  if (alpha.channels !== 1 && alpha.channels !== 4) throw new ImageShapeError(`withAlpha needs a 1- or 4-channel alpha source, got ${alpha.channels}.`);
  const n = color.width * color.height;
  const out = new Uint8Array(n * 4);
  const c = color.data;
  const a = alpha.data;
  const cc = color.channels;
  const ac = alpha.channels;
  for (let p = 0, o = 0; p < n; p++, o += 4) {
    const i = p * cc;
    if (cc === 1) {
      out[o] = c[i];
      out[o + 1] = c[i];
      out[o + 2] = c[i];
    } else {
      out[o] = c[i];
      out[o + 1] = c[i + 1];
      out[o + 2] = c[i + 2];
    }
    out[o + 3] = a[p * ac + ac - 1];
  }
  return { data: out, width: color.width, height: color.height, channels: 4 };
}

/** controlnet-aux `HWC3` for 1-channel input: the grey value replicated to 3 channels (3 channels: a copy). */
export function hwc3(img: ImageU8): ImageU8 {
  assertImage(img, 'image');
  if (img.channels === 3) return { ...img, data: img.data.slice() };
  if (img.channels !== 1) throw new ImageShapeError(`hwc3 supports 1- or 3-channel images here, got ${img.channels}.`);
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    const v = img.data[p];
    out[p * 3] = v;
    out[p * 3 + 1] = v;
    out[p * 3 + 2] = v;
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
