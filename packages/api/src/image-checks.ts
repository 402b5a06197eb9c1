/**
 * What the service requires of image files, checked on local inputs before they are uploaded:
 * the base image is a PNG with an alpha channel (transparent background), long side ≤ 2048 px;
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
  for (let off = 8; off + 8 <= bytes.length; ) {
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
  const longSide = Math.max(png.width, png.height);
  if (longSide > MAX_BASE_LONG_SIDE) {
    issues.push({ path, code: 'too_large', message: `${label} is ${png.width}×${png.height}; its long side must be at most ${MAX_BASE_LONG_SIDE} px (scale it down)` });
  }
  return issues;
}

/** Problems of a local edge element (`path` like `input.reference_edge.foreground_edge[0]`). */
export function checkEdgeElementFile(bytes: Uint8Array, label: string, path: string): ValidationIssue[] {
  const png = readPngFacts(bytes);
  if (png && !png.hasAlpha) {
    return [{ path, code: 'no_alpha', message: `${label} has no alpha channel; an edge element is an RGBA PNG (the HED soft-edge recipe keeps the cut-out's alpha)` }];
  }
  return [];
}
