/**
 * Per-axis source offsets and coefficients of OpenCV's separable resize (`cv::hal::resize`, generic path):
 * INTER_LINEAR, INTER_AREA's "area mode" (used when an axis is enlarged) and INTER_LANCZOS4.
 * Arithmetic follows OpenCV 4.x resize.cpp: the scale is `1 / (dst / src)` in double, positions are
 * computed in double and stored as float32, coefficients are float32.
 */
import { saturateShort } from '../numeric/round-half-even.js';

/** Which coefficient formula an axis uses. */
export type OpencvAxisKind = 'linear' | 'area-linear' | 'lanczos4';

/** Offsets and coefficients for one axis, one entry per destination index. */
export interface OpencvAxisTable {
  /** Taps per destination index: 2 (linear) or 8 (Lanczos4). */
  ksize: number;
  /** Source index of tap `ksize/2 - 1` for each destination index (after OpenCV's border fix-ups). */
  ofs: Int32Array;
  /** `ksize` float32 coefficients per destination index. */
  coeffs: Float32Array;
  /** `coeffs` as OpenCV's 11-bit fixed point (`saturate_cast<short>(c * 2048)`), for 8-bit images. */
  fixed: Int16Array;
  /** Destination indices `< min` have taps left of the source (OpenCV `xmin`). */
  min: number;
  /** Destination indices `>= max` have taps right of the source (OpenCV `xmax`). */
  max: number;
}

/** `INTER_RESIZE_COEF_SCALE`: OpenCV's fixed-point scale for 8-bit resize coefficients (11 bits). */
export const RESIZE_COEF_SCALE = 2048;

const S45 = Math.SQRT1_2; // cos 45°, the double nearest 0.70710678118654752440…
const LANCZOS_CS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [-S45, -S45],
  [0, 1],
  [S45, -S45],
  [-1, 0],
  [S45, S45],
  [0, -1],
  [-S45, S45],
];
const ONE_E_MINUS_6_F = Math.fround(1e-6);
const ONE_E_30_F = Math.fround(1e30);

/** OpenCV 4.x `interpolateLanczos4(x, coeffs)`: 8 float32 coefficients for fractional offset `x` (float32). */
export function lanczos4Coefficients(x: number, out: Float32Array, at: number): void {
  const xp3 = Math.fround(x + 3);
  const y0 = -xp3 * Math.PI * 0.25;
  const s0 = Math.sin(y0);
  const c0 = Math.cos(y0);
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const y0i = Math.fround(xp3 - i);
    let c: number;
    if (Math.abs(y0i) >= ONE_E_MINUS_6_F) {
      const y = -y0i * Math.PI * 0.25;
      const cs = LANCZOS_CS[i];
      c = Math.fround((cs[0] * s0 + cs[1] * c0) / (y * y));
    } else {
      c = ONE_E_30_F;
    }
    out[at + i] = c;
    sum = Math.fround(sum + c);
  }
  const inv = Math.fround(1 / sum);
  for (let i = 0; i < 8; i++) out[at + i] = Math.fround(out[at + i] * inv);
}

/**
 * Builds the table for one axis resized from `srcSize` to `dstSize`.
 * `srcSize`/`dstSize` are pixel counts (not multiplied by channels).
 */
export function buildOpencvAxisTable(kind: OpencvAxisKind, srcSize: number, dstSize: number): OpencvAxisTable {
  const ksize = kind === 'lanczos4' ? 8 : 2;
  const ksize2 = ksize / 2;
  const invScale = dstSize / srcSize;
  const scale = 1 / invScale;
  const ofs = new Int32Array(dstSize);
  const coeffs = new Float32Array(dstSize * ksize);
  const fixed = new Int16Array(dstSize * ksize);
  let min = 0;
  let max = dstSize;
  const isInterp = kind === 'lanczos4';
  for (let d = 0; d < dstSize; d++) {
    let s: number;
    let f: number;
    if (kind !== 'area-linear') {
      f = Math.fround((d + 0.5) * scale - 0.5);
      s = Math.floor(f);
      f = Math.fround(f - s);
    } else {
      s = Math.floor(d * scale);
      f = Math.fround(d + 1 - (s + 1) * invScale);
      f = f <= 0 ? 0 : Math.fround(f - Math.floor(f));
    }
    if (s < ksize2 - 1) {
      min = d + 1;
      if (s < 0 && !isInterp) {
        f = 0;
        s = 0;
      }
    }
    if (s + ksize2 >= srcSize) {
      max = Math.min(max, d);
      if (s >= srcSize - 1 && !isInterp) {
        f = 0;
        s = srcSize - 1;
      }
    }
    ofs[d] = s;
    const at = d * ksize;
    if (isInterp) {
      lanczos4Coefficients(f, coeffs, at);
    } else {
      coeffs[at] = Math.fround(1 - f);
      coeffs[at + 1] = f;
    }
    for (let k = 0; k < ksize; k++) fixed[at + k] = saturateShort(coeffs[at + k] * RESIZE_COEF_SCALE);
  }
  return { ksize, ofs, coeffs, fixed, min, max };
}

/** OpenCV's `clip(x, 0, size)`: replicate border for row indices. */
export function clampIndex(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}
