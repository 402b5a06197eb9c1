/**
 * The pieces of scribble, checked by hand: OpenCV's Gaussian kernel sizes and fixed-point kernel,
 * BORDER_REFLECT_101, the 8-bit blur's impulse response (exactly (255·kx·ky + 2^15) >> 16), the float32
 * blur against a float64 convolution, 3×3 dilation, and nms on a ridge.
 */
import { describe, expect, it } from 'vitest';
import { nms, scribble } from '../../src/hed/scribble.js';
import { safeStep } from '../../src/hed/safe-step.js';
import { reflect101 } from '../../src/image/border-reflect-101.js';
import { dilate3x3F32 } from '../../src/image/opencv-dilate.js';
import { gaussianBlurF32, gaussianBlurU8 } from '../../src/image/opencv-gaussian-blur.js';
import { gaussianKernelDouble, gaussianKernelFixed8, gaussianKernelSize } from '../../src/image/opencv-gaussian-kernel.js';
import type { ImageU8 } from '../../src/image/image-buffer.js';

describe('Gaussian kernels', () => {
  it('sizes: cvRound(σ·3·2+1)|1 for 8-bit, cvRound(σ·4·2+1)|1 for float', () => {
    expect(gaussianKernelSize(3, true)).toBe(19);
    expect(gaussianKernelSize(3, false)).toBe(25);
    expect(gaussianKernelSize(1, true)).toBe(7);
    expect(gaussianKernelSize(0.5, false)).toBe(5);
  });

  it('double kernel is the normalised Gaussian', () => {
    const k = gaussianKernelDouble(25, 3);
    let sum = 0;
    for (let i = 0; i < 25; i++) sum += Math.exp(-((i - 12) ** 2) / 18);
    for (let i = 0; i < 25; i++) expect(k[i]).toBeCloseTo(Math.exp(-((i - 12) ** 2) / 18) / sum, 15);
  });

  it('8-bit fixed-point kernel: symmetric, sums to exactly 256, each tap within 1 of k·256 (error diffusion)', () => {
    const k = gaussianKernelFixed8(19, 3);
    const d = gaussianKernelDouble(19, 3);
    expect(k.reduce((a, b) => a + b, 0)).toBe(256);
    for (let i = 0; i < 19; i++) {
      expect(k[i]).toBe(k[18 - i]);
      expect(Math.abs(k[i] - d[i] * 256)).toBeLessThan(1);
    }
    // Error diffusion carries the rounding error forward: the running sum never drifts by a full unit.
    let err = 0;
    for (let i = 0; i < 9; i++) {
      err += d[i] * 256 - k[i];
      expect(Math.abs(err)).toBeLessThanOrEqual(0.5);
    }
  });
});

describe('BORDER_REFLECT_101', () => {
  it('reflects without repeating the edge pixel, also for lines shorter than the kernel', () => {
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((p) => reflect101(p, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
    expect([-3, -2, -1, 2, 3, 4].map((p) => reflect101(p, 2))).toEqual([1, 0, 1, 0, 1, 0]);
    expect(reflect101(-7, 1)).toBe(0);
  });
});

describe('GaussianBlur', () => {
  const impulse = (w: number, h: number, x: number, y: number, v: number): ImageU8 => {
    const data = new Uint8Array(w * h);
    data[y * w + x] = v;
    return { data, width: w, height: h, channels: 1 };
  };

  it('8-bit impulse response is (255·kx·ky + 2^15) >> 16 with the fixed-point kernel', () => {
    const k = gaussianKernelFixed8(19, 3);
    const out = gaussianBlurU8(impulse(41, 41, 20, 20, 255), 3);
    for (let y = 0; y < 41; y++) {
      for (let x = 0; x < 41; x++) {
        const dx = x - 20 + 9;
        const dy = y - 20 + 9;
        const want = dx >= 0 && dx < 19 && dy >= 0 && dy < 19 ? (255 * k[dx] * k[dy] + 32768) >> 16 : 0;
        expect(out.data[y * 41 + x]).toBe(want);
      }
    }
  });

  it('8-bit: a constant image stays constant (kernel sums to 256 exactly); channels are independent', () => {
    const w = 13;
    const h = 6;
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) data.set([200, 7, 0], i * 3);
    const out = gaussianBlurU8({ data, width: w, height: h, channels: 3 }, 3);
    expect(Array.from(out.data)).toEqual(Array.from(data));
  });

  it('8-bit: an impulse next to the border is reflected (reflect-101) back into the image', () => {
    const k = gaussianKernelFixed8(19, 3);
    const out = gaussianBlurU8(impulse(30, 1, 1, 0, 255), 3);
    // Height 1 → vertical kernel [256]. Column 0 reads column 1 at offset +1 and, through reflect-101
    // (−1 → 1), at offset −1; column 1 reads itself at offsets 0 and −2 (−1 → 1); column 2 at −1 and −3.
    expect(out.data[0]).toBe((255 * (k[10] + k[8]) * 256 + 32768) >> 16);
    expect(out.data[1]).toBe((255 * (k[9] + k[7]) * 256 + 32768) >> 16);
    expect(out.data[2]).toBe((255 * (k[8] + k[6]) * 256 + 32768) >> 16);
  });

  it('float32 blur agrees with a float64 convolution to float precision', () => {
    const w = 37;
    const h = 29;
    const src = new Float32Array(w * h);
    for (let i = 0; i < src.length; i++) src[i] = ((i * 7919) % 255) + 0.25;
    const out = gaussianBlurF32({ data: src, width: w, height: h, channels: 1 }, 3);
    const k = gaussianKernelDouble(25, 3);
    for (const [x, y] of [
      [0, 0],
      [18, 14],
      [36, 28],
      [5, 20],
    ]) {
      let v = 0;
      for (let j = 0; j < 25; j++) {
        for (let i = 0; i < 25; i++) v += k[j] * k[i] * src[reflect101(y + j - 12, h) * w + reflect101(x + i - 12, w)];
      }
      expect(Math.abs(out.data[y * w + x] - v)).toBeLessThan(1e-4);
    }
  });
});

describe('dilate, nms, scribble', () => {
  it('3×3 dilation takes the max over the kernel, ignoring outside pixels', () => {
    const img = { data: Float32Array.from([1, 5, 2, 4, 3, 9, 0, 8, 7]), width: 3, height: 3, channels: 1 };
    expect(Array.from(dilate3x3F32(img, [0, 0, 0, 1, 1, 1, 0, 0, 0]).data)).toEqual([5, 5, 5, 4, 9, 9, 8, 8, 8]);
    expect(Array.from(dilate3x3F32(img, [0, 1, 0, 0, 1, 0, 0, 1, 0]).data)).toEqual([4, 5, 9, 4, 8, 9, 4, 8, 9]);
    expect(Array.from(dilate3x3F32(img, [1, 0, 0, 0, 1, 0, 0, 0, 1]).data)).toEqual([3, 9, 2, 8, 7, 9, 0, 8, 7]);
  });

  /** A bright 5-pixel vertical band (x = 13…17) on a gentle downward ramp, so only the band's crest is a maximum. */
  const rampedBand = (w: number, h: number): ImageU8 => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (x >= 13 && x <= 17 ? 235 : 0) + y;
    return { data, width: w, height: h, channels: 1 };
  };

  it('nms keeps only the crest of a band where every other direction is a slope', () => {
    const w = 31;
    const h = 21;
    const out = nms(rampedBand(w, h), 127, 3);
    // Rows 0 and h−1 lose a diagonal neighbour to the border (dilate ignores outside pixels), so their
    // flanks can be diagonal maxima; inside, only the crest x = 15 is a maximum in some direction.
    for (let y = 1; y < h - 1; y++) {
      const kept = Array.from(out.data.subarray(y * w, (y + 1) * w))
        .map((v, x) => (v ? x : -1))
        .filter((x) => x >= 0);
      expect(kept).toEqual([15]);
    }
    // The last row has no row below it: it is a vertical maximum wherever the blurred band exceeds 127.
    expect(out.data[(h - 1) * w + 15]).toBe(255);
    expect(out.data[(h - 1) * w + 14]).toBe(255);
    expect(out.data[(h - 1) * w + 5]).toBe(0);
  });

  it('nms keeps every above-threshold pixel of a flat band (its vertical direction is flat: dilate == x)', () => {
    const w = 31;
    const h = 9;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 13; x <= 17; x++) data[y * w + x] = 255;
    const out = nms({ data, width: w, height: h, channels: 1 }, 127, 3);
    const kept = Array.from(out.data.subarray(4 * w, 5 * w))
      .map((v, x) => (v ? x : -1))
      .filter((x) => x >= 0);
    expect(kept).toEqual([13, 14, 15, 16, 17]);
  });

  it('scribble thickens the crest with the 8-bit blur and binarises at > 4', () => {
    const w = 31;
    const h = 21;
    const out = scribble(rampedBand(w, h));
    const k = gaussianKernelFixed8(19, 3);
    // Row 10 reads rows 1…19, where nms kept x = 15 only: (255·k[d]·256 + 2^15) >> 16 > 4 ⇔ 255.
    for (let x = 0; x < w; x++) {
      const d = x - 15 + 9;
      const v = d >= 0 && d < 19 ? (255 * k[d] * 256 + 32768) >> 16 : 0;
      expect(out.data[10 * w + x]).toBe(v > 4 ? 255 : 0);
    }
    expect(new Set(out.data)).toEqual(new Set([0, 255]));
  });

  it('safe_step quantises like controlnet-aux: trunc(float32(x)·3)/2', () => {
    expect([0, 0.3, 0.3333333, 0.34, 0.5, 0.66, 0.67, 0.999, 1].map((x) => safeStep(x))).toEqual([0, 0, 0, 0.5, 0.5, 0.5, 1, 1, 1.5]);
    expect(safeStep(0.26, 3)).toBe(Math.fround(1 / 3));
  });
});
