/**
 * `cv2.dilate(img, kernel)` with a 3×3 structuring element, anchor at the centre, one iteration and
 * OpenCV's default border for dilation (pixels outside the image are ignored).
 */
import { assertImage, ImageShapeError, type ImageF32 } from './image-buffer.js';

/** Dilates a float32 image (any channel count) with a 3×3 0/1 kernel given row by row (9 entries). */
export function dilate3x3F32(src: ImageF32, kernel: ArrayLike<number>): ImageF32 {
  assertImage(src, 'image to dilate');
  if (kernel.length !== 9) throw new ImageShapeError(`dilate3x3F32 needs a 3×3 kernel (9 entries), got ${kernel.length}.`);
  const { width: w, height: h, channels: cn, data: s } = src;
  const dys: number[] = [];
  const dxs: number[] = [];
  for (let i = 0; i < 9; i++) {
    if (kernel[i]) {
      dys.push(Math.floor(i / 3) - 1);
      dxs.push((i % 3) - 1);
    }
  }
  const taps = dys.length;
  const rel = Int32Array.from(dys, (dy, t) => (dy * w + dxs[t]) * cn);
  const out = new Float32Array(s.length).fill(-Infinity);
  const rowLen = w * cn;
  for (let y = 0; y < h; y++) {
    const border = y === 0 || y === h - 1;
    for (let x = 0; x < w; x++) {
      const base = (y * w + x) * cn;
      if (!border && x > 0 && x < w - 1) {
        // Interior: every tap is inside the image.
        for (let c = 0; c < cn; c++) {
          const i = base + c;
          let m = s[i + rel[0]];
          for (let t = 1; t < taps; t++) {
            const v = s[i + rel[t]];
            if (v > m) m = v;
          }
          out[i] = m;
        }
        continue;
      }
      for (let t = 0; t < taps; t++) {
        const yy = y + dys[t];
        const xx = x + dxs[t];
        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
        const j = yy * rowLen + xx * cn;
        for (let c = 0; c < cn; c++) if (s[j + c] > out[base + c]) out[base + c] = s[j + c];
      }
    }
  }
  return { data: out, width: w, height: h, channels: cn };
}
