/**
 * What the service requires of image files, checked on local inputs before they are uploaded:
 * the base image is an 8-bit RGBA PNG (colour type 6, transparent background), long side ≤ 2048 px;
 * edge elements are PNGs with alpha too (the HED recipe's output). Only the PNG header and chunk
 * list are read, never the pixels.
 */
import type { ValidationIssue } from './types.js';

/** Longest side the service accepts for the base image. */
export const MAX_BASE_LONG_SIDE = 2048;

/** What a PNG's header chunks say about it (read without decoding any pixel). */
export interface PngFacts {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  bitDepth: number;
  /** Colour type 4 or 6, or a `tRNS` chunk (palette/colour-key transparency). */
  hasAlpha: boolean;
  /** The `tRNS` key colour of a grey (one value) or RGB (three values) image, in file units; null when absent. */
  transparentColor: number[] | null;
}

/**
 * True for the one layout the service is sure to take as "RGBA 四通道" (the seed): colour type 6 with 8 bits
 * per channel. Grey + alpha, palette + tRNS, RGB/grey + tRNS and 16-bit files have transparency too, but are
 * not four 8-bit channels as stored; the emulator (like the service) refuses the ones that do not decode to
 * four channels, and the safe reading for the rest is to send only 8-bit RGBA.
 */
export function isRgba8(png: PngFacts): boolean {
  return png.colorType === 6 && png.bitDepth === 8;
}

/** "grey + alpha", "16-bit RGBA", "palette with tRNS transparency", … for messages. */
export function describePngLayout(png: PngFacts): string {
  const depth = png.bitDepth === 16 ? '16-bit ' : png.bitDepth < 8 ? `${png.bitDepth}-bit ` : '';
  const kind: Record<number, string> = { 0: 'grey', 2: 'RGB', 3: 'palette', 4: 'grey + alpha', 6: 'RGBA' };
  const trns = png.hasAlpha && (png.colorType === 0 || png.colorType === 2 || png.colorType === 3) ? ' with tRNS transparency' : '';
  return `${depth}${kind[png.colorType] ?? `colour type ${png.colorType}`}${trns}`;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Reads size, colour type, bit depth and transparency from a PNG's IHDR and the chunks before its
 * image data; undefined when the bytes are not a PNG with a readable IHDR. The one PNG header reader
 * of the workspace (`@backdrop/edge` decodes with it too).
 */
export function readPngFacts(bytes: Uint8Array): PngFacts | undefined {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = (off: number): string => String.fromCharCode(bytes[off + 4], bytes[off + 5], bytes[off + 6], bytes[off + 7]);
  if (type(8) !== 'IHDR') return undefined;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  let hasAlpha = colorType === 4 || colorType === 6;
  let transparentColor: number[] | null = null;
  for (let off = 8; off + 8 <= bytes.length;) {
    const length = view.getUint32(off);
    const t = type(off);
    const body = off + 8;
    if (t === 'IDAT' || t === 'IEND') break; // tRNS always comes before the image data
    if (t === 'tRNS' && body + length <= bytes.length) {
      hasAlpha = true;
      if (colorType === 0 && length >= 2) transparentColor = [view.getUint16(body)];
      if (colorType === 2 && length >= 6) transparentColor = [view.getUint16(body), view.getUint16(body + 2), view.getUint16(body + 4)];
    }
    off = body + length + 4;
  }
  return { width, height, colorType, bitDepth, hasAlpha, transparentColor };
}

/** Problems of a local base image (path `input.base_image_url`). */
export function checkBaseImageFile(bytes: Uint8Array, label: string): ValidationIssue[] {
  const path = 'input.base_image_url';
  const png = readPngFacts(bytes);
  if (!png) return [{ path, code: 'not_png', message: `${label} is not a PNG; the subject must be an RGBA PNG with a transparent background` }];
  const issues: ValidationIssue[] = [];
  if (!png.hasAlpha) issues.push({ path, code: 'no_alpha', message: `${label} has no alpha channel; cut the subject out onto a transparent background (RGBA PNG)` });
  else if (!isRgba8(png)) {
    issues.push({
      path,
      code: 'not_rgba8',
      message: `${label} is a ${describePngLayout(png)} PNG; the service takes 8-bit RGBA PNGs only: convert it to 8-bit RGBA first (backdrop generate and batch do this before uploading)`,
    });
  }
  const longSide = Math.max(png.width, png.height);
  if (longSide > MAX_BASE_LONG_SIDE) {
    issues.push({ path, code: 'too_large', message: `${label} is ${png.width}×${png.height}; its long side must be at most ${MAX_BASE_LONG_SIDE} px (scale it down)` });
  }
  return issues;
}

/** Problems of a local edge element (`path` like `input.reference_edge.foreground_edge[0]`). */
export function checkEdgeElementFile(bytes: Uint8Array, label: string, path: string): ValidationIssue[] {
  const png = readPngFacts(bytes);
  // JPEG and BMP cannot carry alpha: the service refuses them as edge elements, so they are refused before upload.
  const alphaless = (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) || (bytes[0] === 0x42 && bytes[1] === 0x4d);
  if ((png && !png.hasAlpha) || (!png && alphaless)) {
    return [{ path, code: 'no_alpha', message: `${label} has no alpha channel; an edge element is an RGBA PNG (the HED soft-edge recipe keeps the cut-out's alpha)` }];
  }
  return [];
}
