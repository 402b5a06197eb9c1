/**
 * Decodes an image file into 8-bit RGBA exactly as Pillow 9.4's `Image.open(f).convert('RGBA')` would:
 * grey → R = G = B, palette and tRNS → per-pixel alpha, 16-bit RGB(A) and grey+alpha → the high byte,
 * 16-bit grey (Pillow mode `I`) → clipped to 0..255, tRNS key colours masked to 8 bits as Pillow does.
 * Embedded ICC profiles are ignored (Pillow does not apply them) and EXIF orientation is not applied.
 */
import sharp from 'sharp';
import { FileReadProblem, readRegularFile } from '../regular-file.js';
import type { ImageU8 } from './image-buffer.js';
import { ImageNotFoundError, ImageUnreadableError, ImageUnsupportedError } from './image-errors.js';
import { readPngFacts, type PngFacts } from '@backdrop/api';

/** A decoded image: 8-bit RGBA plus facts about the source. */
export interface DecodedRgba extends ImageU8 {
  channels: 4;
  /** True when the source had an alpha channel or a transparency chunk. */
  hadAlpha: boolean;
  /** Source format as sharp names it: `png`, `jpeg`, `webp`, `gif`, `tiff`, … */
  format: string;
}

/**
 * Largest image file read: the service's own upload limit (`max_file_size_mb` 1024 in its recorded upload
 * policy), since nothing larger could be sent anyway.
 */
const MAX_IMAGE_FILE_BYTES = 1024 * 1024 * 1024;

async function readInput(input: string | Uint8Array): Promise<{ bytes: Uint8Array; label: string }> {
  if (typeof input !== 'string') return { bytes: input, label: 'The image data' };
  try {
    return { bytes: await readRegularFile(input, MAX_IMAGE_FILE_BYTES), label: input };
  } catch (err) {
    if (err instanceof FileReadProblem && err.kind === 'missing') throw new ImageNotFoundError(input, err);
    throw new ImageUnreadableError(input, err instanceof FileReadProblem ? err.reason : `the file cannot be opened: ${(err as Error).message}`, err);
  }
}

/** Decodes a PNG/JPEG/WebP/… file (path) or encoded bytes into 8-bit RGBA the way Pillow does. */
export async function decodeRgba(input: string | Uint8Array): Promise<DecodedRgba> {
  const { bytes, label } = await readInput(input);
  if (bytes.length === 0) throw new ImageUnreadableError(label, 'it is empty');
  const png = readPngFacts(bytes);
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  let meta: sharp.Metadata;
  try {
    const image = sharp(bytes, { ignoreIcc: true, failOn: 'warning' });
    meta = await image.metadata();
    if (meta.space === 'cmyk') throw new ImageUnsupportedError(label, 'a CMYK image');
    decoded = await image.raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof ImageUnsupportedError) throw err;
    throw new ImageUnreadableError(label, firstLine(err), err);
  }
  const { width, height, channels } = decoded.info;
  const src = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  if (src.length !== width * height * channels || channels < 1 || channels > 4) {
    throw new ImageUnreadableError(label, `unexpected decoded layout ${width}×${height}×${channels}`);
  }
  const format = meta.format ?? 'unknown';
  const hadAlpha = meta.hasAlpha === true || (png?.hasAlpha ?? false);
  let rgba = expandToRgba(src, width * height, channels);
  if (png && (png.colorType === 0 || png.colorType === 2)) {
    rgba = await applyPillowGreyRgbRules(bytes, png, rgba, width * height, label);
  }
  return { data: rgba, width, height, channels: 4, hadAlpha, format };
}

/** L, LA, RGB or RGBA bytes → RGBA (grey replicated, missing alpha = 255), like Pillow's l2rgb/la2rgba/rgb2rgba. */
function expandToRgba(src: Uint8Array, pixels: number, channels: number): Uint8Array {
  // A plain Uint8Array copy (not sharp's Buffer) keeps the kernels' typed-array accesses monomorphic.
  if (channels === 4) return new Uint8Array(src);
  const out = new Uint8Array(pixels * 4);
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += channels, o += 4) {
    if (channels <= 2) {
      const v = src[i];
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = channels === 2 ? src[i + 1] : 255;
    } else {
      out[o] = src[i];
      out[o + 1] = src[i + 1];
      out[o + 2] = src[i + 2];
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * Grey and RGB PNGs (no alpha channel). Pillow opens 16-bit grey as mode `I` and `convert('RGBA')` clips it
 * to 0..255 (it does not scale); other depths scale like sharp (16-bit RGB: high byte; 1/2/4-bit grey:
 * bit replication). A tRNS key colour is compared, masked to its low 8 bits, with the converted 8-bit
 * pixel (Pillow's `rgbT2rgba`), not with the stored sample as libpng/libvips do.
 */
async function applyPillowGreyRgbRules(bytes: Uint8Array, png: PngFacts, rgba: Uint8Array, pixels: number, label: string): Promise<Uint8Array> {
  if (png.colorType === 0 && png.bitDepth === 16) {
    let raw: Buffer;
    try {
      raw = await sharp(bytes, { ignoreIcc: true }).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer();
    } catch (err) {
      throw new ImageUnreadableError(label, firstLine(err), err);
    }
    if (raw.byteLength !== pixels * 2) throw new ImageUnreadableError(label, 'unexpected 16-bit grey layout');
    // sharp returns 16-bit samples in native byte order.
    const values = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    for (let p = 0, o = 0; p < pixels; p++, o += 4) {
      const v = values[p] > 255 ? 255 : values[p];
      rgba[o] = v;
      rgba[o + 1] = v;
      rgba[o + 2] = v;
    }
  }
  const key = png.transparentColor;
  if (!key) {
    for (let o = 3; o < rgba.length; o += 4) rgba[o] = 255;
    return rgba;
  }
  const r = key[0] & 0xff;
  const g = (key.length === 3 ? key[1] : key[0]) & 0xff;
  const b = (key.length === 3 ? key[2] : key[0]) & 0xff;
  for (let o = 0; o < rgba.length; o += 4) {
    rgba[o + 3] = rgba[o] === r && rgba[o + 1] === g && rgba[o + 2] === b ? 0 : 255;
  }
  return rgba;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].trim() || 'unknown decoder error';
}
