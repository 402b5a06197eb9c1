/**
 * `cv2.resize(img, (w, h), interpolation=cv2.INTER_LANCZOS4)` for 8-bit images, bit for bit (OpenCV 4.x,
 * no IPP): 8×8 separable kernel, coefficients in 11-bit fixed point, horizontal sums in int32,
 * vertical `(Σ S·b + 2^21) >> 22` saturated to 0..255; borders replicate.
 */
import { assertImage, assertTargetSize, copyImageU8, type ImageU8 } from '../image/image-buffer.js';
import { buildOpencvAxisTable, clampIndex } from './opencv-axis-tables.js';
import { RowRing } from './row-ring.js';

/** Resizes an 8-bit image (any channel count) with OpenCV's INTER_LANCZOS4. */
export function resizeLanczos4U8(src: ImageU8, dstWidth: number, dstHeight: number): ImageU8 {
  assertImage(src, 'Lanczos4 resize source');
  assertTargetSize(dstWidth, dstHeight);
  if (dstWidth === src.width && dstHeight === src.height) return copyImageU8(src);
  const { width: sw, height: sh, channels: cn, data: s } = src;
  const xt = buildOpencvAxisTable('lanczos4', sw, dstWidth);
  const yt = buildOpencvAxisTable('lanczos4', sh, dstHeight);
  const rowLen = dstWidth * cn;
  // Source pixel index of each of the 8 taps per destination column, replicated at the borders.
  const taps = new Int32Array(dstWidth * 8);
  for (let dx = 0; dx < dstWidth; dx++) {
    for (let j = 0; j < 8; j++) taps[dx * 8 + j] = clampIndex(xt.ofs[dx] - 3 + j, sw) * cn;
  }
  const alpha = xt.fixed;
  const fillRow = (sy: number, out: Int32Array, at: number): void => {
    const base = sy * sw * cn;
    for (let dx = 0; dx < dstWidth; dx++) {
      const t = dx * 8;
      const a0 = alpha[t],
        a1 = alpha[t + 1],
        a2 = alpha[t + 2],
        a3 = alpha[t + 3];
      const a4 = alpha[t + 4],
        a5 = alpha[t + 5],
        a6 = alpha[t + 6],
        a7 = alpha[t + 7];
      const p0 = base + taps[t],
        p1 = base + taps[t + 1],
        p2 = base + taps[t + 2],
        p3 = base + taps[t + 3];
      const p4 = base + taps[t + 4],
        p5 = base + taps[t + 5],
        p6 = base + taps[t + 6],
        p7 = base + taps[t + 7];
      const di = at + dx * cn;
      for (let k = 0; k < cn; k++) {
        out[di + k] = s[p0 + k] * a0 + s[p1 + k] * a1 + s[p2 + k] * a2 + s[p3 + k] * a3 + s[p4 + k] * a4 + s[p5 + k] * a5 + s[p6 + k] * a6 + s[p7 + k] * a7;
      }
    }
  };
  const ring = new RowRing(8, rowLen, (n) => new Int32Array(n), fillRow);
  const r = ring.data;
  const out = new Uint8Array(rowLen * dstHeight);
  const beta = yt.fixed;
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = yt.ofs[dy];
    const r0 = ring.at(clampIndex(sy0 - 3, sh)),
      r1 = ring.at(clampIndex(sy0 - 2, sh)),
      r2 = ring.at(clampIndex(sy0 - 1, sh)),
      r3 = ring.at(clampIndex(sy0, sh));
    const r4 = ring.at(clampIndex(sy0 + 1, sh)),
      r5 = ring.at(clampIndex(sy0 + 2, sh)),
      r6 = ring.at(clampIndex(sy0 + 3, sh)),
      r7 = ring.at(clampIndex(sy0 + 4, sh));
    const t = dy * 8;
    const b0 = beta[t],
      b1 = beta[t + 1],
      b2 = beta[t + 2],
      b3 = beta[t + 3];
    const b4 = beta[t + 4],
      b5 = beta[t + 5],
      b6 = beta[t + 6],
      b7 = beta[t + 7];
    const o = dy * rowLen;
    for (let x = 0; x < rowLen; x++) {
      // int32 arithmetic as in C (Math.imul and |0 wrap exactly like the int accumulator).
      const sum =
        (Math.imul(r[r0 + x], b0) +
          Math.imul(r[r1 + x], b1) +
          Math.imul(r[r2 + x], b2) +
          Math.imul(r[r3 + x], b3) +
          Math.imul(r[r4 + x], b4) +
          Math.imul(r[r5 + x], b5) +
          Math.imul(r[r6 + x], b6) +
          Math.imul(r[r7 + x], b7) +
          (1 << 21)) |
        0;
      const v = sum >> 22;
      out[o + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}
