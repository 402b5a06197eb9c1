/**
 * `cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)` for 8-bit images, bit for bit (OpenCV 4.x, no IPP).
 * OpenCV's dispatcher picks one of three algorithms:
 * - both axes shrink by an integer factor: `resizeAreaFast_` (2×2 blocks: `(a+b+c+d+2) >> 2`;
 *   other factors: `cvRound(sum * (1/(nx·ny)))` in float32);
 * - both axes shrink (scale ≥ 1), not integer: `ResizeArea_Invoker` with `computeResizeAreaTab` weights
 *   (float32 accumulation, `cvRound`);
 * - any axis enlarges: the two-tap linear resize with "area mode" coefficients on both axes.
 */
import { assertImage, assertTargetSize, copyImageU8, type ImageU8 } from '../image/image-buffer.js';
import { cvRound } from '../numeric/round-half-even.js';
import { buildOpencvAxisTable } from './opencv-axis-tables.js';
import { resizeLinearTablesU8 } from './opencv-linear-core.js';

const DBL_EPSILON = 2.220446049250313e-16;

/** OpenCV's `is_area_fast` test for one axis, with the integer factor (`saturate_cast<int>(scale)`). */
export function integerScale(srcSize: number, dstSize: number): { scale: number; iscale: number; exact: boolean } {
  const scale = 1 / (dstSize / srcSize);
  const iscale = cvRound(scale);
  return { scale, iscale, exact: Math.abs(scale - iscale) < DBL_EPSILON };
}

/** Resizes an 8-bit image (any channel count) with OpenCV's INTER_AREA. */
export function resizeAreaU8(src: ImageU8, dstWidth: number, dstHeight: number): ImageU8 {
  assertImage(src, 'INTER_AREA resize source');
  assertTargetSize(dstWidth, dstHeight);
  if (dstWidth === src.width && dstHeight === src.height) return copyImageU8(src);
  const sx = integerScale(src.width, dstWidth);
  const sy = integerScale(src.height, dstHeight);
  if (sx.scale >= 1 && sy.scale >= 1) {
    if (sx.exact && sy.exact) return resizeAreaFastU8(src, dstWidth, dstHeight, sx.iscale, sy.iscale);
    return resizeAreaFractionalU8(src, dstWidth, dstHeight, sx.scale, sy.scale);
  }
  const xt = buildOpencvAxisTable('area-linear', src.width, dstWidth);
  const yt = buildOpencvAxisTable('area-linear', src.height, dstHeight);
  return resizeLinearTablesU8(src, dstWidth, dstHeight, xt, yt);
}

/** `resizeAreaFast_`: integer shrink factors `fx`×`fy` (the destination fits inside the source). */
export function resizeAreaFastU8(src: ImageU8, dstWidth: number, dstHeight: number, fx: number, fy: number): ImageU8 {
  const { width: sw, channels: cn, data: s } = src;
  const out = new Uint8Array(dstWidth * dstHeight * cn);
  const srcStride = sw * cn;
  const rowLen = dstWidth * cn;
  if (fx === 2 && fy === 2 && (cn === 1 || cn === 3 || cn === 4)) {
    // ResizeAreaFastVec "fast mode": rounding add of the 2×2 block.
    for (let dy = 0; dy < dstHeight; dy++) {
      const r0 = dy * 2 * srcStride;
      const r1 = r0 + srcStride;
      const o = dy * rowLen;
      for (let dx = 0; dx < dstWidth; dx++) {
        const p = dx * 2 * cn;
        for (let k = 0; k < cn; k++) {
          const i = p + k;
          out[o + dx * cn + k] = (s[r0 + i] + s[r0 + i + cn] + s[r1 + i] + s[r1 + i + cn] + 2) >> 2;
        }
      }
    }
    return { data: out, width: dstWidth, height: dstHeight, channels: cn };
  }
  const scale = Math.fround(1 / (fx * fy));
  const clamped = new Uint8ClampedArray(out.buffer); // stores saturate_cast<uchar>(cvRound(v))
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = dy * fy;
    const o = dy * rowLen;
    for (let dx = 0; dx < dstWidth; dx++) {
      for (let k = 0; k < cn; k++) {
        let sum = 0;
        for (let yy = 0; yy < fy; yy++) {
          const r = (sy0 + yy) * srcStride + dx * fx * cn + k;
          for (let xx = 0; xx < fx; xx++) sum += s[r + xx * cn];
        }
        // saturate_cast<uchar>(int sum * float scale): float32 product, then cvRound.
        clamped[o + dx * cn + k] = Math.fround(sum * scale);
      }
    }
  }
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}

/** One `DecimateAlpha` run of `computeResizeAreaTab`: source index, destination index, float32 weight. */
interface AreaTab {
  si: Int32Array;
  di: Int32Array;
  alpha: Float32Array;
  size: number;
}

/** OpenCV `computeResizeAreaTab` (indices in pixels, not multiplied by channels). */
function computeResizeAreaTab(srcSize: number, dstSize: number, scale: number): AreaTab {
  const cap = srcSize * 2 + 2;
  const si = new Int32Array(cap);
  const di = new Int32Array(cap);
  const alpha = new Float32Array(cap);
  let k = 0;
  for (let dx = 0; dx < dstSize; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, srcSize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, srcSize - 1);
    sx1 = Math.min(sx1, sx2);
    if (sx1 - fsx1 > 1e-3) {
      di[k] = dx;
      si[k] = sx1 - 1;
      alpha[k++] = (sx1 - fsx1) / cellWidth;
    }
    for (let x = sx1; x < sx2; x++) {
      di[k] = dx;
      si[k] = x;
      alpha[k++] = 1.0 / cellWidth;
    }
    if (fsx2 - sx2 > 1e-3) {
      di[k] = dx;
      si[k] = sx2;
      alpha[k++] = Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth;
    }
  }
  return { si, di, alpha, size: k };
}

/** `ResizeArea_Invoker`: fractional shrink on both axes, float32 weighted sums, `saturate_cast<uchar>`. */
function resizeAreaFractionalU8(src: ImageU8, dstWidth: number, dstHeight: number, scaleX: number, scaleY: number): ImageU8 {
  const { width: sw, height: sh, channels: cn, data: s } = src;
  const xtab = computeResizeAreaTab(sw, dstWidth, scaleX);
  const ytab = computeResizeAreaTab(sh, dstHeight, scaleY);
  const rowLen = dstWidth * cn;
  const out = new Uint8Array(rowLen * dstHeight);
  // saturate_cast<uchar>(cvRound(v)) is exactly what a Uint8ClampedArray stores for v.
  const clamped = new Uint8ClampedArray(out.buffer);
  const buf = new Float32Array(rowLen);
  const sum = new Float32Array(rowLen);
  const fr = Math.fround;
  const flush = (dy: number): void => clamped.set(sum, dy * rowLen);
  // xtab entries are grouped by destination column: runStart[dx]..runStart[dx+1] feed column dx.
  const runStart = new Int32Array(dstWidth + 1);
  for (let k = 0, dx = 0; dx <= dstWidth; dx++) {
    while (k < xtab.size && xtab.di[k] < dx) k++;
    runStart[dx] = k;
  }
  const xsi = Int32Array.from(xtab.si.subarray(0, xtab.size), (v) => v * cn);
  const xalpha = xtab.alpha;
  /** buf[dx] = Σ S·alpha over column dx's run of source row `sy`, float32 in table order, per channel. */
  const horizontal = (sy: number): void => {
    const srow = sy * sw * cn;
    if (cn === 3) {
      // Three independent float32 chains side by side (the same operations, faster).
      for (let dx = 0; dx < dstWidth; dx++) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        for (let k = runStart[dx], k1 = runStart[dx + 1]; k < k1; k++) {
          const p = srow + xsi[k];
          const a = xalpha[k];
          a0 = fr(a0 + fr(s[p] * a));
          a1 = fr(a1 + fr(s[p + 1] * a));
          a2 = fr(a2 + fr(s[p + 2] * a));
        }
        buf[dx * 3] = a0;
        buf[dx * 3 + 1] = a1;
        buf[dx * 3 + 2] = a2;
      }
      return;
    }
    for (let dx = 0; dx < dstWidth; dx++) {
      const k1 = runStart[dx + 1];
      for (let c = 0; c < cn; c++) {
        let acc = 0;
        for (let k = runStart[dx]; k < k1; k++) acc = fr(acc + fr(s[srow + xsi[k] + c] * xalpha[k]));
        buf[dx * cn + c] = acc;
      }
    }
  };
  let prevDy = ytab.di[0];
  let bufRow = -1;
  for (let j = 0; j < ytab.size; j++) {
    const beta = ytab.alpha[j];
    const dy = ytab.di[j];
    // A source row straddling two destination rows comes twice in a row: its buf is reused.
    if (ytab.si[j] !== bufRow) {
      horizontal(ytab.si[j]);
      bufRow = ytab.si[j];
    }
    if (dy !== prevDy) {
      flush(prevDy);
      for (let x = 0; x < rowLen; x++) sum[x] = beta * buf[x];
      prevDy = dy;
    } else {
      for (let x = 0; x < rowLen; x++) sum[x] = sum[x] + fr(beta * buf[x]);
    }
  }
  flush(prevDy);
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}
