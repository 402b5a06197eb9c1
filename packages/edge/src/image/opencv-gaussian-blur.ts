/**
 * `cv2.GaussianBlur(img, (0, 0), sigma)` with the default border (BORDER_REFLECT_101), OpenCV 4.x, no IPP:
 * - 8-bit: the bit-exact fixed-point path (`GaussianBlurFixedPoint`): horizontal sums of 8-bit pixels
 *   times the 8-fractional-bit kernel, vertical sums of those times the kernel again, `(v + 2^15) >> 16`.
 * - float32: `sepFilter2D` with the float32 kernel; row filter `s = x0·k0`, then `s = fma(x_k, k_k, s)`,
 *   column filter `s = S0·k0`, then `s = fma(S_k + S_−k, k_k, s)`, as OpenCV's AVX2/FMA3 code computes it.
 */
import { fmaF32 } from '../numeric/float32-fma.js';
import { reflect101, reflect101Taps } from './border-reflect-101.js';
import { blurKernelSizes, gaussianKernelF32, gaussianKernelFixed8 } from './opencv-gaussian-kernel.js';
import { assertImage, type ImageF32, type ImageU8 } from './image-buffer.js';

/** GaussianBlur on an 8-bit image (any channel count), bit-exact to OpenCV's fixed-point implementation. */
export function gaussianBlurU8(src: ImageU8, sigma: number): ImageU8 {
  assertImage(src, 'image to blur');
  const { width: w, height: h, channels: cn, data: s } = src;
  const { kw, kh } = blurKernelSizes(w, h, sigma, true);
  if (kw === 1 && kh === 1) return { ...src, data: s.slice() };
  const kx = gaussianKernelFixed8(kw, sigma);
  const ky = gaussianKernelFixed8(kh, sigma);
  const ax = kw >> 1;
  const ay = kh >> 1;
  const rowLen = w * cn;
  // Horizontal pass: every source row, uint16 fixed point (max 255·256, never saturates).
  const hrows = new Uint32Array(rowLen * h);
  const taps = reflect101Taps(w, kw, ax);
  for (let y = 0; y < h; y++) {
    const base = y * rowLen;
    for (let x = 0; x < w; x++) {
      const t = x * kw;
      for (let c = 0; c < cn; c++) {
        let v = 0;
        for (let k = 0; k < kw; k++) v += kx[k] * s[base + taps[t + k] * cn + c];
        hrows[base + x * cn + c] = v;
      }
    }
  }
  const out = new Uint8Array(rowLen * h);
  const acc = new Uint32Array(rowLen);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    // Integer sums: the order of the taps does not change the result.
    for (let k = 0; k < kh; k++) {
      const r = reflect101(y + k - ay, h) * rowLen;
      const m = ky[k];
      if (m === 0) continue;
      for (let x = 0; x < rowLen; x++) acc[x] += m * hrows[r + x];
    }
    const o = y * rowLen;
    for (let x = 0; x < rowLen; x++) {
      const v = (acc[x] + 0x8000) >>> 16;
      out[o + x] = v > 255 ? 255 : v;
    }
  }
  return { data: out, width: w, height: h, channels: cn };
}

/** GaussianBlur on a float32 image (any channel count), reproducing OpenCV's float32 separable filter. */
export function gaussianBlurF32(src: ImageF32, sigma: number): ImageF32 {
  assertImage(src, 'image to blur');
  const { width: w, height: h, channels: cn, data: s } = src;
  const { kw, kh } = blurKernelSizes(w, h, sigma, false);
  if (kw === 1 && kh === 1) return { ...src, data: s.slice() };
  const kx = gaussianKernelF32(kw, sigma);
  const ky = gaussianKernelF32(kh, sigma);
  const fr = Math.fround;
  const rowLen = w * cn;
  const taps = reflect101Taps(w, kw, kw >> 1);
  const hrows = new Float32Array(rowLen * h);
  for (let y = 0; y < h; y++) {
    const base = y * rowLen;
    for (let x = 0; x < w; x++) {
      const t = x * kw;
      for (let c = 0; c < cn; c++) {
        let acc = fr(s[base + taps[t] * cn + c] * kx[0]);
        for (let k = 1; k < kw; k++) acc = fmaF32(s[base + taps[t + k] * cn + c], kx[k], acc);
        hrows[base + x * cn + c] = acc;
      }
    }
  }
  const out = new Float32Array(rowLen * h);
  const half = kh >> 1;
  const acc = new Float32Array(rowLen);
  for (let y = 0; y < h; y++) {
    // Per column: s = S0·k0, then s = fma(S_k + S_−k, k_k, s) for k = 1…half, in that order.
    const r0 = y * rowLen;
    const k0 = ky[half];
    for (let x = 0; x < rowLen; x++) acc[x] = hrows[r0 + x] * k0;
    for (let k = 1; k <= half; k++) {
      const down = reflect101(y + k, h) * rowLen;
      const up = reflect101(y - k, h) * rowLen;
      const m = ky[half + k];
      for (let x = 0; x < rowLen; x++) acc[x] = fmaF32(fr(hrows[down + x] + hrows[up + x]), m, acc[x]);
    }
    out.set(acc, r0);
  }
  return { data: out, width: w, height: h, channels: cn };
}
