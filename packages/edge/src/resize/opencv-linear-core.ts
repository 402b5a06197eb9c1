/**
 * OpenCV's two-tap separable resize (`resizeGeneric_` with `HResizeLinear` / `VResizeLinear`), given the
 * per-axis tables. Used by INTER_LINEAR and by INTER_AREA when an axis is enlarged ("area mode").
 */
import type { ImageF32, ImageU8 } from '../image/image-buffer.js';
import { RESIZE_COEF_SCALE, clampIndex, type OpencvAxisTable } from './opencv-axis-tables.js';
import { RowRing } from './row-ring.js';

/**
 * 8-bit: horizontal pass in 11-bit fixed point into int32 rows, vertical pass as OpenCV's
 * `VResizeLinear<uchar, int, short, FixedPtCast<…, 22>>`:
 * `(((b0 * (S0 >> 4)) >> 16) + ((b1 * (S1 >> 4)) >> 16) + 2) >> 2`.
 */
export function resizeLinearTablesU8(src: ImageU8, dstWidth: number, dstHeight: number, xt: OpencvAxisTable, yt: OpencvAxisTable): ImageU8 {
  const { width: sw, height: sh, channels: cn, data: s } = src;
  const rowLen = dstWidth * cn;
  const xofs = xt.ofs;
  const alpha = xt.fixed;
  const xmax = xt.max;
  const fillRow = (sy: number, out: Int32Array, at: number): void => {
    const base = sy * sw * cn;
    for (let dx = 0; dx < dstWidth; dx++) {
      const o = base + xofs[dx] * cn;
      const di = at + dx * cn;
      if (dx < xmax) {
        const a0 = alpha[dx * 2];
        const a1 = alpha[dx * 2 + 1];
        for (let k = 0; k < cn; k++) out[di + k] = s[o + k] * a0 + s[o + cn + k] * a1;
      } else {
        for (let k = 0; k < cn; k++) out[di + k] = s[o + k] * RESIZE_COEF_SCALE;
      }
    }
  };
  const ring = new RowRing(2, rowLen, (n) => new Int32Array(n), fillRow);
  const r = ring.data;
  const out = new Uint8Array(rowLen * dstHeight);
  const beta = yt.fixed;
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy = yt.ofs[dy];
    const r0 = ring.at(clampIndex(sy, sh));
    const r1 = ring.at(clampIndex(sy + 1, sh));
    const b0 = beta[dy * 2];
    const b1 = beta[dy * 2 + 1];
    const o = dy * rowLen;
    for (let x = 0; x < rowLen; x++) {
      // uchar(...) in OpenCV: the value is always within 0..255 for these coefficients.
      out[o + x] = (((b0 * (r[r0 + x] >> 4)) >> 16) + ((b1 * (r[r1 + x] >> 4)) >> 16) + 2) >> 2;
    }
  }
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}

/**
 * float32: `HResizeLinear<float>` then `VResizeLinear<float>`, every product and sum rounded to float32
 * (no fused multiply-add); edge rows are not special-cased. Returns `row(dy, out, at)`, which writes
 * destination row `dy` to `out` from index `at`; asked for in order, each source row is resized once.
 */
export function linearRowsF32(src: ImageF32, dstWidth: number, xt: OpencvAxisTable, yt: OpencvAxisTable): (dy: number, out: Float32Array, at: number) => void {
  const { width: sw, height: sh, channels: cn, data: s } = src;
  const fr = Math.fround;
  const rowLen = dstWidth * cn;
  const xofs = xt.ofs;
  const alpha = xt.coeffs;
  const xmax = xt.max;
  const fillRow = (sy: number, out: Float32Array, at: number): void => {
    const base = sy * sw * cn;
    for (let dx = 0; dx < dstWidth; dx++) {
      const o = base + xofs[dx] * cn;
      const di = at + dx * cn;
      if (dx < xmax) {
        const a0 = alpha[dx * 2];
        const a1 = alpha[dx * 2 + 1];
        for (let k = 0; k < cn; k++) out[di + k] = fr(s[o + k] * a0) + fr(s[o + cn + k] * a1);
      } else {
        for (let k = 0; k < cn; k++) out[di + k] = s[o + k];
      }
    }
  };
  const ring = new RowRing(2, rowLen, (n) => new Float32Array(n), fillRow);
  const r = ring.data;
  const beta = yt.coeffs;
  return (dy, out, at) => {
    const sy = yt.ofs[dy];
    const r0 = ring.at(clampIndex(sy, sh));
    const r1 = ring.at(clampIndex(sy + 1, sh));
    const b0 = beta[dy * 2];
    const b1 = beta[dy * 2 + 1];
    // Float32Array stores round the final sum to float32.
    for (let x = 0; x < rowLen; x++) out[at + x] = fr(r[r0 + x] * b0) + fr(r[r1 + x] * b1);
  };
}

/** The whole float32 resize of {@link linearRowsF32}. */
export function resizeLinearTablesF32(src: ImageF32, dstWidth: number, dstHeight: number, xt: OpencvAxisTable, yt: OpencvAxisTable): ImageF32 {
  const rowLen = dstWidth * src.channels;
  const row = linearRowsF32(src, dstWidth, xt, yt);
  const out = new Float32Array(rowLen * dstHeight);
  for (let dy = 0; dy < dstHeight; dy++) row(dy, out, dy * rowLen);
  return { data: out, width: dstWidth, height: dstHeight, channels: src.channels };
}
