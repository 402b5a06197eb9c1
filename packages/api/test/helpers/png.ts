/** Minimal PNG writing for tests (RGBA, RGB, palette with tRNS) and reading of image sizes. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit PNG of colour type `colourType` from its filtered rows `raw`, with `extra` chunks before IDAT. */
function assemblePng(width: number, height: number, colourType: number, raw: Buffer, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An RGBA PNG whose pixel (x, y) is `pixel(x, y)`. */
export function encodeRgbaPng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 4);
    raw[row] = 0;
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  return assemblePng(width, height, 6, raw);
}

/** Width, height, bit depth and colour type from a PNG's IHDR. */
function pngHeader(bytes: Uint8Array): { width: number; height: number; bitDepth: number; colorType: number } {
  const b = Buffer.from(bytes);
  if (b.readUInt32BE(0) !== 0x89504e47 || b.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), bitDepth: b[24], colorType: b[25] };
}

/** A product cut-out: an opaque disc on a transparent background. */
export function cutoutPng(width = 64, height = 48, colour: [number, number, number] = [200, 60, 40]): Buffer {
  return encodeRgbaPng(width, height, (x, y) => {
    const inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 <= (Math.min(width, height) / 3) ** 2;
    return inside ? [...colour, 255] : [0, 0, 0, 0];
  });
}

/** Width and height of a PNG or baseline/progressive JPEG. */
export function imageSize(bytes: Uint8Array): { format: 'png' | 'jpeg'; width: number; height: number } {
  const b = Buffer.from(bytes);
  if (b.readUInt32BE(0) === 0x89504e47) return { format: 'png', ...pngHeader(b) };
  if (b[0] === 0xff && b[1] === 0xd8) {
    for (let off = 2; off + 9 < b.length;) {
      if (b[off] !== 0xff) throw new Error('bad JPEG marker');
      const marker = b[off + 1];
      const len = b.readUInt16BE(off + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { format: 'jpeg', height: b.readUInt16BE(off + 5), width: b.readUInt16BE(off + 7) };
      }
      off += 2 + len;
    }
  }
  throw new Error('not a PNG or JPEG');
}

/** An RGB PNG (colour type 2, no alpha) filled with one colour. */
export function encodeRgbPng(width: number, height: number, colour: [number, number, number] = [120, 130, 140]): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(colour, y * (1 + width * 3) + 1 + x * 3);
  return assemblePng(width, height, 2, raw);
}

/** A palette PNG (colour type 3) with a tRNS chunk making entry 0 transparent. */
export function encodePalettePngWithTransparency(width: number, height: number): Buffer {
  const raw = Buffer.alloc(height * (1 + width));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (1 + width) + 1 + x] = (x + y) % 2;
  return assemblePng(width, height, 3, raw, [chunk('PLTE', Buffer.from([0, 0, 0, 255, 0, 0])), chunk('tRNS', Buffer.from([0]))]);
}
