/**
 * Small hand-checked cases for every resize kernel: the values follow from the formulas in OpenCV's
 * resize.cpp and Pillow's Resample.c worked out by hand (see the comments), not from the code under test.
 */
import { describe, expect, it } from 'vitest';
import type { ImageF32, ImageU8 } from '../../src/image/image-buffer.js';
import { ImageShapeError } from '../../src/image/image-buffer.js';
import { resizeAreaU8 } from '../../src/resize/opencv-area.js';
import { lanczos4Coefficients } from '../../src/resize/opencv-axis-tables.js';
import { resizeLanczos4U8 } from '../../src/resize/opencv-lanczos4.js';
import { resizeLinearF32, resizeLinearU8 } from '../../src/resize/opencv-linear.js';
import { resizeBicubicPillowU8 } from '../../src/resize/pillow-bicubic.js';
import { detectionTargetSize, resizeImageForDetection } from '../../src/resize/resize-image.js';

const u8 = (width: number, height: number, channels: number, values: number[]): ImageU8 => ({
  data: Uint8Array.from(values),
  width,
  height,
  channels,
});
const f32 = (width: number, height: number, values: number[]): ImageF32 => ({ data: Float32Array.from(values), width, height, channels: 1 });

describe('OpenCV INTER_AREA', () => {
  it('2×2 → 1×1 is (a+b+c+d+2)>>2, rounding 0.5 up (not cvRound)', () => {
    expect(Array.from(resizeAreaU8(u8(2, 2, 1, [1, 1, 0, 0]), 1, 1).data)).toEqual([1]); // (2+2)>>2
    expect(Array.from(resizeAreaU8(u8(2, 2, 1, [10, 20, 30, 41]), 1, 1).data)).toEqual([25]); // (101+2)>>2
    // 3 channels, 4×2 → 2×1: per channel, per block.
    const rgb = u8(4, 2, 3, [1, 2, 3, 5, 6, 7, 9, 9, 9, 0, 0, 0, 3, 2, 1, 7, 6, 5, 255, 255, 255, 255, 255, 254]);
    expect(Array.from(resizeAreaU8(rgb, 2, 1).data)).toEqual([
      (1 + 5 + 3 + 7 + 2) >> 2,
      (2 + 6 + 2 + 6 + 2) >> 2,
      (3 + 7 + 1 + 5 + 2) >> 2,
      (9 + 0 + 255 + 255 + 2) >> 2,
      (9 + 0 + 255 + 255 + 2) >> 2,
      (9 + 0 + 255 + 254 + 2) >> 2,
    ]);
  });

  it('integer factors other than 2 use cvRound(sum · 1/(n·m)) with ties to even', () => {
    // 4×4 → 1×1: sum 8 → 0.5 → 0; sum 24 → 1.5 → 2.
    expect(Array.from(resizeAreaU8(u8(4, 4, 1, [8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1, 1).data)).toEqual([0]);
    expect(Array.from(resizeAreaU8(u8(4, 4, 1, [24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1, 1).data)).toEqual([2]);
    // 3×1 → 1×1: (10 + 20 + 31) · (1/3) = 20.33 → 20.
    expect(Array.from(resizeAreaU8(u8(3, 1, 1, [10, 20, 31]), 1, 1).data)).toEqual([20]);
  });

  it('fractional shrink weights the straddled pixel by its covered part (3 → 2: [0, 90, 30] → [30, 50])', () => {
    // scale 1.5: d0 = (0·1 + 90·0.5)/1.5 = 30, d1 = (90·0.5 + 30·1)/1.5 = 50.
    expect(Array.from(resizeAreaU8(u8(3, 1, 1, [0, 90, 30]), 2, 1).data)).toEqual([30, 50]);
  });

  it('enlarging an axis switches to area-mode linear: 1 → 2 replicates, 2 → 3 keeps ends', () => {
    // Area mode: sx = floor(d·scale), f = (d+1) − (sx+1)·inv_scale → 0 for an integer enlargement.
    expect(Array.from(resizeAreaU8(u8(1, 1, 1, [77]), 2, 2).data)).toEqual([77, 77, 77, 77]);
    // 2 → 3 (inv_scale 1.5): d0: sx 0, f = 1 − 1.5 < 0 → 0 → 10; d1: sx 0, f = 2 − 1.5 = 0.5 → (10+50)/2 = 30;
    // d2: sx 1 = last → 50.
    expect(Array.from(resizeAreaU8(u8(2, 1, 1, [10, 50]), 3, 1).data)).toEqual([10, 30, 50]);
  });
});

describe('OpenCV INTER_LINEAR', () => {
  it('8-bit 2× enlargement of a 1-D ramp: [0, 100] → [0, 25, 75, 100]', () => {
    // f = (d + 0.5)/2 − 0.5: −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
    expect(Array.from(resizeLinearU8(u8(2, 1, 1, [0, 100]), 4, 1).data)).toEqual([0, 25, 75, 100]);
    expect(Array.from(resizeLinearU8(u8(1, 2, 1, [0, 100]), 1, 4).data)).toEqual([0, 25, 75, 100]);
  });

  it('8-bit fixed point truncates: 3 → 2 of [0, 255, 0] is (((2048·(255·1024>>4))>>16) … + 2) >> 2', () => {
    // scale 1.5: d0 f = 0.25 → coefficients 1536/512: 0·1536 + 255·512 = 130560; vertical ×2048:
    // ((2048 · (130560 >> 4)) >> 16 + 0 + 2) >> 2 = (255 + 2) >> 2 = 64 (exact 63.75).
    expect(Array.from(resizeLinearU8(u8(3, 1, 1, [0, 255, 0]), 2, 1).data)).toEqual([64, 64]);
  });

  it('an exact 2× shrink on both axes is INTER_AREA (rounding add), as OpenCV redirects it', () => {
    expect(Array.from(resizeLinearU8(u8(2, 2, 1, [1, 1, 0, 0]), 1, 1).data)).toEqual([1]);
  });

  it('float32: [0, 1] → [0, 0.25, 0.75, 1] and a 2×2 bilinear centre', () => {
    expect(Array.from(resizeLinearF32(f32(2, 1, [0, 1]), 4, 1).data)).toEqual([0, 0.25, 0.75, 1]);
    const up = resizeLinearF32(f32(2, 2, [0, 1, 2, 3]), 4, 4);
    // (1,1): f = 0.25 on both axes → 0.75·(0.75·0 + 0.25·1) + 0.25·(0.75·2 + 0.25·3) = 0.75
    expect(up.data[1 * 4 + 1]).toBe(0.75);
    expect(up.data[0]).toBe(0);
    expect(up.data[15]).toBe(3);
  });

  it('same size is a copy', () => {
    const img = u8(2, 1, 1, [3, 4]);
    const out = resizeLinearU8(img, 2, 1);
    expect(Array.from(out.data)).toEqual([3, 4]);
    expect(out.data).not.toBe(img.data);
  });
});

describe('OpenCV INTER_LANCZOS4', () => {
  it('coefficients: x = 0 selects the centre tap; x = 0.5 is symmetric and sums to 1', () => {
    const c = new Float32Array(8);
    lanczos4Coefficients(0, c, 0);
    expect(c[3]).toBeCloseTo(1, 6);
    for (const i of [0, 1, 2, 4, 5, 6, 7]) expect(Math.abs(c[i])).toBeLessThan(1e-20);
    lanczos4Coefficients(0.5, c, 0);
    for (let i = 0; i < 4; i++) expect(c[i]).toBeCloseTo(c[7 - i], 6);
    expect(c.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(c[0]).toBeLessThan(0); // negative outer lobes
  });

  it('a constant image stays constant and an edge overshoots (ringing) as Lanczos does', () => {
    const flat = resizeLanczos4U8(u8(3, 3, 1, Array(9).fill(200)), 7, 5);
    expect(new Set(flat.data)).toEqual(new Set([200]));
    const edge = resizeLanczos4U8(u8(8, 1, 1, [0, 0, 0, 0, 200, 200, 200, 200]), 32, 1);
    expect(Math.max(...edge.data)).toBeGreaterThan(200);
    expect(Math.min(...edge.data)).toBe(0); // undershoot is clamped
  });
});

describe('Pillow BICUBIC', () => {
  it('2 → 1 averages with equal weights and rounds half up: [10, 21] → 16', () => {
    // scale 2, support 4: both taps at distance 0.25·… → equal weights 2^21; (31·2^21 + 2^21) >> 22 = 16.
    expect(Array.from(resizeBicubicPillowU8(u8(2, 1, 1, [10, 21]), 1, 1).data)).toEqual([16]);
  });

  it('skips the pass of an unchanged axis: a height-only resize equals the transposed width-only resize', () => {
    const w = 5;
    const h = 9;
    const values = Array.from({ length: w * h }, (_, i) => (i * 97) % 256);
    const img = u8(w, h, 1, values);
    const t = u8(
      h,
      w,
      1,
      values.map((_, i) => values[(i % h) * w + Math.floor(i / h)]),
    );
    const a = resizeBicubicPillowU8(img, w, 4);
    const b = resizeBicubicPillowU8(t, 4, w);
    for (let y = 0; y < 4; y++) for (let x = 0; x < w; x++) expect(a.data[y * w + x]).toBe(b.data[x * 4 + y]);
  });

  it('horizontal pass first, stored as uint8: differs from vertical-first on a noisy image', () => {
    const w = 23;
    const h = 17;
    const values = Array.from({ length: w * h }, (_, i) => (i * 7919 + ((i * i) % 13) * 31) % 256);
    const img = u8(w, h, 1, values);
    const both = resizeBicubicPillowU8(img, 11, 8);
    const hThenV = resizeBicubicPillowU8(resizeBicubicPillowU8(img, 11, h), 11, 8);
    const vThenH = resizeBicubicPillowU8(resizeBicubicPillowU8(img, w, 8), 11, 8);
    expect(Array.from(both.data)).toEqual(Array.from(hThenV.data));
    expect(Array.from(both.data)).not.toEqual(Array.from(vThenH.data));
  });

  it('same size is a copy', () => {
    expect(Array.from(resizeBicubicPillowU8(u8(2, 1, 1, [9, 8]), 2, 1).data)).toEqual([9, 8]);
  });
});

describe('channels are independent in every kernel', () => {
  const w = 29;
  const h = 19;
  const rgba = u8(
    w,
    h,
    4,
    Array.from({ length: w * h * 4 }, (_, i) => (i * 7919 + ((i * i) % 17) * 13) % 256),
  );
  const channel = (img: ImageU8, c: number): ImageU8 =>
    u8(
      img.width,
      img.height,
      1,
      Array.from({ length: img.width * img.height }, (_, p) => img.data[p * img.channels + c]),
    );
  const rgb = u8(
    w,
    h,
    3,
    Array.from({ length: w * h * 3 }, (_, i) => rgba.data[Math.floor(i / 3) * 4 + (i % 3)]),
  );
  const kernels: Array<[string, (img: ImageU8) => ImageU8]> = [
    ['INTER_AREA fractional', (img) => resizeAreaU8(img, 11, 7)],
    ['INTER_AREA fast 2×', (img) => resizeAreaU8(u8(28, 18, img.channels, Array.from(img.data.subarray(0, 28 * 18 * img.channels))), 14, 9)],
    ['INTER_AREA area-mode', (img) => resizeAreaU8(img, 40, 15)],
    ['INTER_LINEAR', (img) => resizeLinearU8(img, 45, 31)],
    ['INTER_LANCZOS4', (img) => resizeLanczos4U8(img, 45, 31)],
    ['Pillow BICUBIC', (img) => resizeBicubicPillowU8(img, 13, 40)],
  ];
  for (const [name, resize] of kernels) {
    it(`${name}: 3- and 4-channel results equal the 1-channel results per channel`, () => {
      for (const img of [rgb, rgba]) {
        const all = resize(img);
        for (let c = 0; c < img.channels; c++) expect(Array.from(channel(all, c).data)).toEqual(Array.from(resize(channel(img, c)).data));
      }
    });
  }
});

describe('resize_image target size', () => {
  it('scales the short side to the resolution and rounds to multiples of 64 with ties to even', () => {
    expect(detectionTargetSize(600, 400, 512)).toMatchObject({ width: 768, height: 512 });
    expect(detectionTargetSize(512, 700, 512)).toMatchObject({ width: 512, height: 704 });
    expect(detectionTargetSize(1411, 1411, 512)).toMatchObject({ width: 512, height: 512 });
    expect(detectionTargetSize(2048, 328, 512)).toMatchObject({ width: 3200, height: 512 });
    // 544/64 = 8.5 → 8 (even); 608/64 = 9.5 → 10 (even).
    expect(detectionTargetSize(544, 512, 512)).toMatchObject({ width: 512, height: 512 });
    expect(detectionTargetSize(608, 512, 512)).toMatchObject({ width: 640, height: 512 });
  });

  it('k = 1 with sides already multiples of 64 is a copy; k = 1 otherwise still resamples', () => {
    const img = u8(
      64,
      64,
      1,
      Array.from({ length: 64 * 64 }, (_, i) => i % 251),
    );
    expect(Array.from(resizeImageForDetection(img, 64).data)).toEqual(Array.from(img.data));
  });

  it('rejects malformed images and sizes with IMAGE_SHAPE_INVALID', () => {
    expect(() => resizeLinearU8(u8(2, 2, 1, [1, 2, 3]), 1, 1)).toThrow(ImageShapeError);
    expect(() => resizeAreaU8(u8(2, 1, 1, [1, 2]), 0, 1)).toThrow(/positive integers/);
    expect(() => resizeImageForDetection(u8(2, 1, 1, [1, 2]), -5)).toThrow(ImageShapeError);
  });
});
