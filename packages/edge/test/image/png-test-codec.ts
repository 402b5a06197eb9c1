/**
 * A small, independent PNG codec for tests: decodes non-interlaced PNGs of any colour type and bit depth
 * into raw samples (no conversion), and writes PNGs with chosen colour type, depth, palette and tRNS.
 * It shares no code with the decoder under test.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

/** Raw samples of a PNG as stored: `channels` samples per pixel in file units (0..2^depth−1). */
export interface RawPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  channels: number;
  samples: Uint16Array;
  palette?: Uint8Array;
  trns?: Uint8Array;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes a non-interlaced PNG into raw samples. */
export function decodePngRaw(bytes: Uint8Array): RawPng {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0,
    height = 0,
    bitDepth = 0,
    colorType = 0,
    interlace = 0;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  while (pos < bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      bitDepth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === 'PLTE') palette = body.slice();
    else if (type === 'tRNS') trns = body.slice();
    else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  if (interlace) throw new Error('test codec: interlaced PNGs are not supported');
  const channels = CHANNELS[colorType];
  const bitsPerPixel = channels * bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const data = inflateSync(Buffer.concat(idat));
  const rows = new Uint8Array(stride * height);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)];
    const line = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a),
          pb = Math.abs(p - b),
          pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = (line[i] + pred) & 255;
    }
    rows.set(cur, y * stride);
    prev = cur;
  }
  const samples = new Uint16Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const r = y * stride;
      let v: number;
      if (bitDepth === 16) v = (rows[r + i * 2] << 8) | rows[r + i * 2 + 1];
      else if (bitDepth === 8) v = rows[r + i];
      else {
        const bit = i * bitDepth;
        v = (rows[r + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
      }
      samples[y * width * channels + i] = v;
    }
  }
  return { width, height, bitDepth, colorType, channels, samples, palette, trns };
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/** Writes a non-interlaced PNG from raw samples (filter 0 on every row). */
export function encodePngRaw(png: Omit<RawPng, 'channels'>): Buffer {
  const { width, height, bitDepth, colorType, samples } = png;
  const channels = CHANNELS[colorType];
  const stride = Math.ceil((width * channels * bitDepth) / 8);
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const r = y * (stride + 1) + 1;
    for (let i = 0; i < width * channels; i++) {
      const v = samples[y * width * channels + i];
      if (bitDepth === 16) {
        raw[r + i * 2] = v >> 8;
        raw[r + i * 2 + 1] = v & 255;
      } else if (bitDepth === 8) raw[r + i] = v;
      else {
        const bit = i * bitDepth;
        raw[r + (bit >> 3)] |= v << (8 - bitDepth - (bit & 7));
      }
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const parts = [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (png.palette) parts.push(chunk('PLTE', png.palette));
  if (png.trns) parts.push(chunk('tRNS', png.trns));
  parts.push(chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0)));
  return Buffer.concat(parts);
}
