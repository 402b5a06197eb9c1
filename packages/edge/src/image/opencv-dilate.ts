/**
 * `cv2.dilate(img, kernel)` with a 3×3 structuring element, anchor at the centre, one iteration and
 * OpenCV's default border for dilation (pixels outside the image are ignored).
 */
import { assertImage, ImageShapeError, type ImageF32 } from './image-buffer.js';

/** Dilates a float32 image (any channel count) with a 3×3 0/1 kernel given row by row (9 entries). */
export function dilate3x3F32(src: ImageF32, kernel: ArrayLike<number>): ImageF32 {
  assertImage(src, 'image to dilate');
  if (kernel.length !== 9) throw new ImageShapeError(`dilate3x3F32 needs a 3×3 kernel (9 entries), got ${kernel.length}.`);
  const offsets: Array<[number, number]> = [];
  for (let i = 0; i < 9; i++) if (kernel[i]) offsets.push([Math.floor(i / 3) - 1, (i % 3) - 1]);
  const { width: w, height: h, channels: cn, data: s } = src;
  const out = new Float32Array(s.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < cn; c++) {
        let m = -Infinity;
        for (const [dy, dx] of offsets) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
          const v = s[(yy * w + xx) * cn + c];
          if (v > m) m = v;
        }
        out[(y * w + x) * cn + c] = m;
      }
    }
  }
  return { data: out, width: w, height: h, channels: cn };
}
