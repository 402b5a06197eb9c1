/**
 * OpenCV 4.x Gaussian kernels for `GaussianBlur(src, (0, 0), sigma)`: the size rule of
 * `createGaussianKernels`, `getGaussianKernelBitExact` (double arithmetic) and the 8-bit fixed-point
 * kernel of `getGaussianKernelFixedPoint_ED` (error diffusion, 8 fractional bits, exact sum 256).
 * OpenCV computes `exp` with its own soft-float routine; `Math.exp` agrees to the last bit or so, far
 * below what survives the conversion to float32 or to 8-bit fixed point.
 */
import { cvRound, roundHalfEven } from '../numeric/round-half-even.js';

/** `createGaussianKernels`' automatic size: `cvRound(sigma * (8-bit ? 3 : 4) * 2 + 1) | 1`. */
export function gaussianKernelSize(sigma: number, eightBit: boolean): number {
  return cvRound(sigma * (eightBit ? 3 : 4) * 2 + 1) | 1;
}

/**
 * Kernel lengths `GaussianBlur(src, (0, 0), sigma)` uses on a `width`×`height` image: the automatic size,
 * reduced to 1 along an axis of length 1 (non-constant borders).
 */
export function blurKernelSizes(width: number, height: number, sigma: number, eightBit: boolean): { kw: number; kh: number } {
  const n = gaussianKernelSize(sigma, eightBit);
  return { kw: width === 1 ? 1 : n, kh: height === 1 ? 1 : n };
}

/** `getGaussianKernelBitExact(n, sigma)` for sigma > 0: n double coefficients summing to ≈ 1. */
export function gaussianKernelDouble(n: number, sigma: number): Float64Array {
  const scale2X = -0.125 / (sigma * sigma);
  const half = (n - 1) >> 1;
  const values = new Float64Array(half);
  let sum = 0;
  for (let i = 0, x = 1 - n; i < half; i++, x += 2) {
    const t = Math.exp(x * x * scale2X);
    values[i] = t;
    sum += t;
  }
  sum *= 2;
  sum += 1;
  if ((n & 1) === 0) sum += 1;
  const mul1 = 1 / sum;
  const out = new Float64Array(n);
  for (let i = 0; i < half; i++) {
    const t = values[i] * mul1;
    out[i] = t;
    out[n - 1 - i] = t;
  }
  out[half] = mul1;
  if ((n & 1) === 0) out[half + 1] = mul1;
  return out;
}

/** The float32 kernel `getGaussianKernel(n, sigma, CV_32F)`. */
export function gaussianKernelF32(n: number, sigma: number): Float32Array {
  return Float32Array.from(gaussianKernelDouble(n, sigma));
}

/** The 8-bit path's `ufixedpoint16` kernel (raw values, 8 fractional bits, sum exactly 256); n must be odd. */
export function gaussianKernelFixed8(n: number, sigma: number): Uint16Array {
  const k = gaussianKernelDouble(n, sigma);
  const half = n >> 1;
  const out = new Uint16Array(n);
  let err = 0;
  let sum = 0;
  for (let i = 0; i < half; i++) {
    const adj = k[i] * 256 + err;
    const v = roundHalfEven(adj);
    err = adj - v;
    out[i] = v;
    out[n - 1 - i] = v;
    sum += v;
  }
  out[half] = 256 - sum * 2;
  return out;
}
