/**
 * decodeRgba against Pillow's `convert('RGBA')` rules, checked pixel by pixel with an independent PNG
 * decoder (test/image/png-test-codec.ts): the golden inputs (RGBA, palette + tRNS, grey + alpha, 16-bit
 * RGBA) and synthesized PNGs for the other flavours; and clean user errors for bad inputs.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRgba } from '../../src/image/decode-rgba.js';
import { EdgeError } from '../../src/errors.js';
import { goldenAvailable, goldenDir, readPngRaw } from '../resize/golden-stages.js';
import { decodePngRaw, encodePngRaw, type RawPng } from './png-test-codec.js';

/** Pillow 9.4 `Image.open(png).convert('RGBA')` from raw samples, written out rule by rule. */
function pillowRgba(png: RawPng): Uint8Array {
  const n = png.width * png.height;
  const out = new Uint8Array(n * 4);
  const { samples: s, bitDepth: d, colorType: ct, channels: cn } = png;
  const to8 = (v: number): number => (d === 16 ? v >> 8 : d === 8 ? v : Math.round((v * 255) / ((1 << d) - 1)));
  for (let p = 0; p < n; p++) {
    const o = p * 4;
    const i = p * cn;
    if (ct === 3) {
      const e = s[i];
      out.set([png.palette![e * 3], png.palette![e * 3 + 1], png.palette![e * 3 + 2], png.trns && e < png.trns.length ? png.trns[e] : 255], o);
    } else if (ct === 0) {
      const v = d === 16 ? Math.min(s[i], 255) : to8(s[i]); // mode I → clip, not scale
      out.set([v, v, v, 255], o);
    } else if (ct === 4) out.set([to8(s[i]), to8(s[i]), to8(s[i]), to8(s[i + 1])], o);
    else if (ct === 2) out.set([to8(s[i]), to8(s[i + 1]), to8(s[i + 2]), 255], o);
    else out.set([to8(s[i]), to8(s[i + 1]), to8(s[i + 2]), to8(s[i + 3])], o);
    if ((ct === 0 || ct === 2) && png.trns) {
      const key = ct === 0 ? [0, 0, 0].map(() => png.trns![1]) : [png.trns[1], png.trns[3], png.trns[5]];
      if (out[o] === key[0] && out[o + 1] === key[1] && out[o + 2] === key[2]) out[o + 3] = 0;
    }
  }
  return out;
}

function countDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -1;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe.skipIf(!goldenAvailable)('decodeRgba on the golden inputs', () => {
  for (const name of ['coffee', 'coffee-palette', 'coffee-gray-alpha', 'coffee-16bit', 'element-cat-on-canvas']) {
    it(`${name}.png decodes as Pillow convert('RGBA') would`, async () => {
      const file = path.join(goldenDir, 'inputs', `${name}.png`);
      const raw = decodePngRaw(await readFile(file));
      const img = await decodeRgba(file);
      expect([img.width, img.height, img.channels, img.format, img.hadAlpha]).toEqual([raw.width, raw.height, 4, 'png', true]);
      expect(countDiff(img.data, pillowRgba(raw))).toBe(0);
    });
  }

  it('the 16-bit input keeps the high byte: it decodes exactly like coffee.png, and both golden outputs are equal', async () => {
    const a = await decodeRgba(path.join(goldenDir, 'inputs', 'coffee-16bit.png'));
    const b = await decodeRgba(path.join(goldenDir, 'inputs', 'coffee.png'));
    expect(countDiff(a.data, b.data)).toBe(0);
    const ea = await readPngRaw(path.join(goldenDir, 'expected', 'full', 'coffee-16bit.png'));
    const eb = await readPngRaw(path.join(goldenDir, 'expected', 'full', 'coffee.png'));
    expect(countDiff(ea.data, eb.data)).toBe(0);
  });

  for (const name of ['coffee-palette', 'coffee-gray-alpha', 'coffee-16bit']) {
    it(`${name}: the decoded alpha is the golden output's alpha`, async () => {
      const img = await decodeRgba(path.join(goldenDir, 'inputs', `${name}.png`));
      const expected = await readPngRaw(path.join(goldenDir, 'expected', 'full', `${name}.png`));
      let diff = 0;
      for (let p = 3; p < img.data.length; p += 4) if (img.data[p] !== expected.data[p]) diff++;
      expect(expected.channels).toBe(4);
      expect(diff).toBe(0);
    });
  }

  it('gray+alpha decodes to R = G = B', async () => {
    const img = await decodeRgba(path.join(goldenDir, 'inputs', 'coffee-gray-alpha.png'));
    let bad = 0;
    for (let o = 0; o < img.data.length; o += 4) if (img.data[o] !== img.data[o + 1] || img.data[o] !== img.data[o + 2]) bad++;
    expect(bad).toBe(0);
  });
});

describe('decodeRgba on synthesized PNG flavours', () => {
  const w = 7;
  const h = 3;
  const ramp = (count: number, max: number): Uint16Array => Uint16Array.from({ length: count }, (_, i) => Math.round((i * 7919) % (max + 1)));
  const flavours: Array<[string, Omit<RawPng, 'channels'>]> = [
    ['8-bit grey', { width: w, height: h, bitDepth: 8, colorType: 0, samples: ramp(w * h, 255) }],
    ['8-bit grey with a tRNS key', { width: w, height: h, bitDepth: 8, colorType: 0, samples: Uint16Array.from({ length: w * h }, (_, i) => i % 5), trns: Uint8Array.of(0, 3) }],
    [
      '16-bit grey (Pillow mode I: clipped, not scaled)',
      { width: w, height: h, bitDepth: 16, colorType: 0, samples: Uint16Array.from({ length: w * h }, (_, i) => [0, 1, 100, 255, 256, 300, 1000, 65535][i % 8]) },
    ],
    ['2-bit grey', { width: w, height: h, bitDepth: 2, colorType: 0, samples: ramp(w * h, 3) }],
    ['4-bit grey', { width: w, height: h, bitDepth: 4, colorType: 0, samples: ramp(w * h, 15) }],
    ['1-bit grey', { width: w, height: h, bitDepth: 1, colorType: 0, samples: ramp(w * h, 1) }],
    ['8-bit RGB', { width: w, height: h, bitDepth: 8, colorType: 2, samples: ramp(w * h * 3, 255) }],
    [
      '8-bit RGB with a tRNS key',
      {
        width: w,
        height: h,
        bitDepth: 8,
        colorType: 2,
        samples: Uint16Array.from({ length: w * h * 3 }, (_, i) => (Math.floor(i / 3) % 2) * 9),
        trns: Uint8Array.of(0, 9, 0, 9, 0, 9),
      },
    ],
    ['16-bit RGB', { width: w, height: h, bitDepth: 16, colorType: 2, samples: ramp(w * h * 3, 65535) }],
    ['16-bit grey+alpha', { width: w, height: h, bitDepth: 16, colorType: 4, samples: ramp(w * h * 2, 65535) }],
    ['8-bit grey+alpha', { width: w, height: h, bitDepth: 8, colorType: 4, samples: ramp(w * h * 2, 255) }],
    ['16-bit RGBA', { width: w, height: h, bitDepth: 16, colorType: 6, samples: ramp(w * h * 4, 65535) }],
    [
      '4-bit palette with tRNS',
      {
        width: w,
        height: h,
        bitDepth: 4,
        colorType: 3,
        samples: ramp(w * h, 5),
        palette: Uint8Array.from({ length: 18 }, (_, i) => (i * 37) & 255),
        trns: Uint8Array.of(0, 128, 255),
      },
    ],
  ];
  for (const [name, spec] of flavours) {
    it(`${name}`, async () => {
      const bytes = encodePngRaw(spec);
      const raw = decodePngRaw(bytes);
      const img = await decodeRgba(bytes);
      expect([img.width, img.height, img.channels]).toEqual([w, h, 4]);
      expect(Array.from(img.data)).toEqual(Array.from(pillowRgba(raw)));
      expect(img.hadAlpha).toBe(spec.colorType === 4 || spec.colorType === 6 || spec.trns !== undefined);
    });
  }
});

describe('decodeRgba errors', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'edge-decode-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const expectError = async (p: Promise<unknown>, code: string): Promise<EdgeError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EdgeError);
    const e = err as EdgeError;
    expect(e.code).toBe(code);
    expect(e.userError).toBe(true);
    return e;
  };

  it('a missing file is IMAGE_NOT_FOUND and names the path', async () => {
    const missing = path.join(dir, 'nope.png');
    const e = await expectError(decodeRgba(missing), 'IMAGE_NOT_FOUND');
    expect(e.message).toContain(missing);
  });

  it('a text file is IMAGE_UNREADABLE', async () => {
    const file = path.join(dir, 'notes.png');
    await writeFile(file, 'this is not an image\n');
    const e = await expectError(decodeRgba(file), 'IMAGE_UNREADABLE');
    expect(e.message).toContain(file);
  });

  it('a truncated PNG is IMAGE_UNREADABLE', async () => {
    const full = encodePngRaw({ width: 64, height: 64, bitDepth: 8, colorType: 6, samples: Uint16Array.from({ length: 64 * 64 * 4 }, (_, i) => (i * 31) & 255) });
    const file = path.join(dir, 'cut.png');
    await writeFile(file, full.subarray(0, Math.floor(full.length / 2)));
    await expectError(decodeRgba(file), 'IMAGE_UNREADABLE');
  });

  it('a directory and empty bytes are IMAGE_UNREADABLE', async () => {
    await expectError(decodeRgba(dir), 'IMAGE_UNREADABLE');
    await expectError(decodeRgba(new Uint8Array(0)), 'IMAGE_UNREADABLE');
  });
});
