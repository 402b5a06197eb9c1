/**
 * `cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)`, bit for bit (OpenCV 4.x, no IPP), for 8-bit
 * images (11-bit fixed point) and float32 images (every step rounded to float32).
 * As in OpenCV, an exact 2× shrink on both axes is done by INTER_AREA's fast path instead.
 */
import { assertImage, assertTargetSize, copyImageF32, copyImageU8, type ImageF32, type ImageU8 } from '../image/image-buffer.js';
import { integerScale, resizeAreaFastU8 } from './opencv-area.js';
import { buildOpencvAxisTable } from './opencv-axis-tables.js';
import { linearRowsF32, resizeLinearTablesF32, resizeLinearTablesU8 } from './opencv-linear-core.js';

function isExactHalving(src: { width: number; height: number }, dstWidth: number, dstHeight: number): boolean {
  const sx = integerScale(src.width, dstWidth);
  const sy = integerScale(src.height, dstHeight);
  return sx.exact && sy.exact && sx.iscale === 2 && sy.iscale === 2;
}

/** Resizes an 8-bit image (any channel count) with OpenCV's INTER_LINEAR. */
export function resizeLinearU8(src: ImageU8, dstWidth: number, dstHeight: number): ImageU8 {
  assertImage(src, 'INTER_LINEAR resize source');
  assertTargetSize(dstWidth, dstHeight);
  if (dstWidth === src.width && dstHeight === src.height) return copyImageU8(src);
  if (isExactHalving(src, dstWidth, dstHeight)) return resizeAreaFastU8(src, dstWidth, dstHeight, 2, 2);
  const xt = buildOpencvAxisTable('linear', src.width, dstWidth);
  const yt = buildOpencvAxisTable('linear', src.height, dstHeight);
  return resizeLinearTablesU8(src, dstWidth, dstHeight, xt, yt);
}

/** Resizes a float32 image (any channel count) with OpenCV's INTER_LINEAR. */
export function resizeLinearF32(src: ImageF32, dstWidth: number, dstHeight: number): ImageF32 {
  assertImage(src, 'INTER_LINEAR resize source');
  assertTargetSize(dstWidth, dstHeight);
  if (dstWidth === src.width && dstHeight === src.height) return copyImageF32(src);
  if (isExactHalving(src, dstWidth, dstHeight)) return halveF32(src, dstWidth, dstHeight);
  const xt = buildOpencvAxisTable('linear', src.width, dstWidth);
  const yt = buildOpencvAxisTable('linear', src.height, dstHeight);
  return resizeLinearTablesF32(src, dstWidth, dstHeight, xt, yt);
}

/**
 * {@link resizeLinearF32} one destination row at a time, for a reader that does not keep the whole image:
 * `row(dy)` is a view of row `dy`, valid until the next call.
 */
export function resizeLinearRowsF32(src: ImageF32, dstWidth: number, dstHeight: number): (dy: number) => Float32Array {
  assertImage(src, 'INTER_LINEAR resize source');
  assertTargetSize(dstWidth, dstHeight);
  const rowLen = dstWidth * src.channels;
  const sameSize = dstWidth === src.width && dstHeight === src.height;
  const whole = sameSize ? src.data : isExactHalving(src, dstWidth, dstHeight) ? halveF32(src, dstWidth, dstHeight).data : undefined;
  if (whole) return (dy) => whole.subarray(dy * rowLen, (dy + 1) * rowLen);
  const row = linearRowsF32(src, dstWidth, buildOpencvAxisTable('linear', src.width, dstWidth), buildOpencvAxisTable('linear', src.height, dstHeight));
  const buf = new Float32Array(rowLen);
  return (dy) => {
    row(dy, buf, 0);
    return buf;
  };
}

/**
 * INTER_AREA's 2×2 fast path on float32 (`ResizeAreaFastVec_SIMD_32f`): `((a + b) + (c + d)) * 0.25f`.
 * (OpenCV's scalar tail, used for the last few columns of a row, sums `((a + b) + c) + d` instead; the
 * detector never halves float maps, so that difference is not reproduced.)
 */
function halveF32(src: ImageF32, dstWidth: number, dstHeight: number): ImageF32 {
  const { width: sw, channels: cn, data: s } = src;
  const fr = Math.fround;
  const out = new Float32Array(dstWidth * dstHeight * cn);
  const stride = sw * cn;
  for (let dy = 0; dy < dstHeight; dy++) {
    const r0 = dy * 2 * stride;
    const r1 = r0 + stride;
    for (let dx = 0; dx < dstWidth; dx++) {
      for (let k = 0; k < cn; k++) {
        const i = dx * 2 * cn + k;
        const sum = fr(fr(s[r0 + i] + s[r0 + i + cn]) + fr(s[r1 + i] + s[r1 + i + cn]));
        out[(dy * dstWidth + dx) * cn + k] = sum * 0.25;
      }
    }
  }
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}
