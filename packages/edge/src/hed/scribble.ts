/**
 * controlnet-aux 0.0.7 HED scribble post-processing of the uint8 map (after the second `resize_image`):
 * `nms(map, 127, 3.0)`, then `cv2.GaussianBlur(map, (0, 0), 3.0)` on uint8, then `> 4 → 255`, else 0.
 * `nms` = GaussianBlur σ = 3 on float32, keep values that equal their 3×3 dilation along any of four
 * directions (horizontal, vertical, two diagonals), then `> 127 → 255`, else 0.
 * Channels are processed independently (the map is HWC3-replicated grey in the reference).
 */
import { dilate3x3F32 } from '../image/opencv-dilate.js';
import { gaussianBlurF32, gaussianBlurU8 } from '../image/opencv-gaussian-blur.js';
import { assertImage, type ImageU8 } from '../image/image-buffer.js';

const DIRECTIONS: ReadonlyArray<readonly number[]> = [
  [0, 0, 0, 1, 1, 1, 0, 0, 0],
  [0, 1, 0, 0, 1, 0, 0, 1, 0],
  [1, 0, 0, 0, 1, 0, 0, 0, 1],
  [0, 0, 1, 0, 1, 0, 1, 0, 0],
];

/** controlnet-aux `nms(x, t, s)`: directional non-maximum suppression of the σ = `s` blurred map, thresholded at `t`. */
export function nms(map: ImageU8, threshold: number, sigma: number): ImageU8 {
  assertImage(map, 'edge map');
  const blurred = gaussianBlurF32({ ...map, data: Float32Array.from(map.data) }, sigma);
  const x = blurred.data;
  const y = new Float32Array(x.length);
  for (const kernel of DIRECTIONS) {
    const d = dilate3x3F32(blurred, kernel).data;
    for (let i = 0; i < x.length; i++) if (d[i] === x[i]) y[i] = x[i];
  }
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = y[i] > threshold ? 255 : 0;
  return { data: out, width: map.width, height: map.height, channels: map.channels };
}

/** The scribble map of a uint8 HED map (any channel count; channels stay independent). */
export function scribble(map: ImageU8): ImageU8 {
  const thin = nms(map, 127, 3.0);
  const blurred = gaussianBlurU8(thin, 3.0);
  const out = blurred.data;
  for (let i = 0; i < out.length; i++) out[i] = out[i] > 4 ? 255 : 0;
  return blurred;
}
