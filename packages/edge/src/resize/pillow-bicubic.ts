/**
 * Pillow 9.4 `Image.resize((w, h))` with its default filter BICUBIC, for 8-bit images, bit for bit
 * (`libImaging/Resample.c`): bicubic a = −0.5 with support 2·max(scale, 1), weights normalised in double,
 * converted to 22-bit fixed point (round half away from zero); horizontal pass first (stored as uint8),
 * then vertical; a pass is skipped when its axis keeps its size.
 */
import { assertImage, assertTargetSize, copyImageU8, type ImageU8 } from '../image/image-buffer.js';

const PRECISION_BITS = 32 - 8 - 2;
const BICUBIC_SUPPORT = 2;

/** Pillow's `bicubic_filter` with a = −0.5. */
function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Fixed-point coefficients of one axis (`precompute_coeffs` + `normalize_coeffs_8bpc`). */
export interface PillowAxisCoefficients {
  ksize: number;
  /** Per output index: first source index and tap count. */
  bounds: Int32Array;
  /** `ksize` int32 coefficients per output index (22 fractional bits). */
  kk: Int32Array;
}

/** `precompute_coeffs(inSize, 0, inSize, outSize, bicubic)` then `normalize_coeffs_8bpc`. */
function pillowBicubicCoefficients(inSize: number, outSize: number): PillowAxisCoefficients {
  const in0 = 0;
  const in1 = inSize;
  const scale = (in1 - in0) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = BICUBIC_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let ww = 0;
    // (int) casts truncate toward zero.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    for (let x = 0; x < xmax; x++) {
      const w = bicubicFilter((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      let v = x < xmax ? k[x] : 0;
      if (x < xmax && ww !== 0) v /= ww;
      kk[xx * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * (1 << PRECISION_BITS)) : Math.trunc(0.5 + v * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

/** Pillow's `clip8`: a 22-bit fixed-point sum (with the rounding half already added) → 0..255. */
function clip8(v: number): number {
  if (v >= (1 << PRECISION_BITS) << 8) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/**
 * Resizes an 8-bit image with Pillow BICUBIC. Channels are resized independently, as Pillow does for modes
 * L and RGB (for RGBA Pillow premultiplies alpha first; that is not done here).
 */
export function resizeBicubicPillowU8(src: ImageU8, dstWidth: number, dstHeight: number): ImageU8 {
  assertImage(src, 'Pillow resize source');
  assertTargetSize(dstWidth, dstHeight);
  const { width: sw, height: sh } = src;
  const needH = dstWidth !== sw;
  const needV = dstHeight !== sh;
  if (!needH && !needV) return copyImageU8(src);
  const vert = pillowBicubicCoefficients(sh, dstHeight);
  let img = src;
  let vbounds = vert.bounds;
  if (needH) {
    // Only the source rows the vertical pass reads are resized horizontally.
    const first = vert.bounds[0];
    const last = vert.bounds[(dstHeight - 1) * 2] + vert.bounds[(dstHeight - 1) * 2 + 1];
    img = horizontalPass(src, dstWidth, first, needV ? last - first : sh, pillowBicubicCoefficients(sw, dstWidth));
    if (needV) {
      vbounds = vert.bounds.slice();
      for (let i = 0; i < dstHeight; i++) vbounds[i * 2] -= first;
    }
  }
  if (!needV) return img;
  return verticalPass(img, dstHeight, { ...vert, bounds: vbounds });
}

function horizontalPass(src: ImageU8, dstWidth: number, firstRow: number, rows: number, c: PillowAxisCoefficients): ImageU8 {
  const { width: sw, channels: cn, data: s } = src;
  const half = 1 << (PRECISION_BITS - 1);
  const out = new Uint8Array(dstWidth * rows * cn);
  const { ksize, bounds, kk } = c;
  const srcStride = sw * cn;
  const outStride = dstWidth * cn;
  // Column by column: one column's taps and coefficients serve every row.
  for (let xx = 0; xx < dstWidth; xx++) {
    const xmax = bounds[xx * 2 + 1];
    const kb = xx * ksize;
    for (let yy = 0, p0 = firstRow * srcStride + bounds[xx * 2] * cn, o = xx * cn; yy < rows; yy++, p0 += srcStride, o += outStride) {
      for (let ch = 0; ch < cn; ch++) {
        let ss = half;
        for (let x = 0, p = p0 + ch; x < xmax; x++, p += cn) ss += s[p] * kk[kb + x];
        out[o + ch] = clip8(ss);
      }
    }
  }
  return { data: out, width: dstWidth, height: rows, channels: cn };
}

function verticalPass(src: ImageU8, dstHeight: number, c: PillowAxisCoefficients): ImageU8 {
  const { width: w, channels: cn, data: s } = src;
  const half = 1 << (PRECISION_BITS - 1);
  const rowLen = w * cn;
  const out = new Uint8Array(rowLen * dstHeight);
  const { ksize, bounds, kk } = c;
  const acc = new Int32Array(rowLen);
  for (let yy = 0; yy < dstHeight; yy++) {
    const ymin = bounds[yy * 2];
    const ymax = bounds[yy * 2 + 1];
    const kb = yy * ksize;
    acc.fill(half);
    // Two source rows per sweep (integer sums: the grouping does not change them).
    let y = 0;
    for (; y + 1 < ymax; y += 2) {
      const k0 = kk[kb + y];
      const k1 = kk[kb + y + 1];
      const r0 = (ymin + y) * rowLen;
      const r1 = r0 + rowLen;
      for (let x = 0; x < rowLen; x++) acc[x] += s[r0 + x] * k0 + s[r1 + x] * k1;
    }
    if (y < ymax) {
      const k = kk[kb + y];
      const r = (ymin + y) * rowLen;
      for (let x = 0; x < rowLen; x++) acc[x] += s[r + x] * k;
    }
    const o = yy * rowLen;
    for (let x = 0; x < rowLen; x++) out[o + x] = clip8(acc[x]);
  }
  return { data: out, width: w, height: dstHeight, channels: cn };
}
