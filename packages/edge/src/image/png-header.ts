/**
 * The few PNG header facts the decoder needs to reproduce Pillow's conversions: colour type, bit depth
 * and the tRNS transparent colour. Reads chunk headers only (no pixel data).
 */

/** Colour type, bit depth and transparency chunk of a PNG stream. */
export interface PngHeader {
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colorType: number;
  bitDepth: number;
  /** tRNS key colour of grey (one value) or RGB (three values) images, in file units; null when absent. */
  transparentColor: number[] | null;
  /** True when a tRNS chunk is present (for palettes: per-entry alpha). */
  hasTrns: boolean;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` starts with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return false;
  return true;
}

/** Parses IHDR and looks for tRNS before IDAT; null when `bytes` is not a PNG with a readable IHDR. */
export function readPngHeader(bytes: Uint8Array): PngHeader | null {
  if (!isPng(bytes) || bytes.length < 33) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return null;
  const bitDepth = bytes[24];
  const colorType = bytes[25];
  let transparentColor: number[] | null = null;
  let hasTrns = false;
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const body = pos + 8;
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tRNS' && body + length <= bytes.length) {
      hasTrns = true;
      if (colorType === 0 && length >= 2) transparentColor = [view.getUint16(body)];
      if (colorType === 2 && length >= 6) transparentColor = [view.getUint16(body), view.getUint16(body + 2), view.getUint16(body + 4)];
    }
    pos = body + length + 4;
  }
  return { colorType, bitDepth, transparentColor, hasTrns };
}
