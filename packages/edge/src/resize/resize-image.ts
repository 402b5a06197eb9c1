/**
 * controlnet-aux 0.0.7 `resize_image(img, resolution)`: scale the short side to `resolution`, round both
 * sides to multiples of 64 (numpy round, ties to even), then OpenCV INTER_LANCZOS4 when enlarging
 * (k > 1) and INTER_AREA otherwise. Same size: a copy (OpenCV copies).
 */
import { assertImage, ImageShapeError, type ImageU8 } from '../image/image-buffer.js';
import { roundHalfEven } from '../numeric/round-half-even.js';
import { resizeAreaU8 } from './opencv-area.js';
import { resizeLanczos4U8 } from './opencv-lanczos4.js';

/** The (width, height) `resize_image` produces for an image of `width`×`height` at `resolution`. */
export function detectionTargetSize(width: number, height: number, resolution: number): { width: number; height: number; k: number } {
  const k = resolution / Math.min(height, width);
  return {
    width: roundHalfEven((width * k) / 64.0) * 64,
    height: roundHalfEven((height * k) / 64.0) * 64,
    k,
  };
}

/** `resize_image(src, resolution)` exactly as controlnet-aux 0.0.7 computes it. */
export function resizeImageForDetection(src: ImageU8, resolution: number): ImageU8 {
  assertImage(src, 'image to resize for detection');
  if (!Number.isFinite(resolution) || resolution <= 0) {
    throw new ImageShapeError(`The detection resolution must be a positive number, got ${resolution}.`);
  }
  const { width, height, k } = detectionTargetSize(src.width, src.height, resolution);
  if (width < 1 || height < 1) {
    throw new ImageShapeError(
      `A ${src.width}×${src.height} image is too elongated for detection at ${resolution}: its long side would round to ${width}×${height} pixels. Crop it or raise the detection resolution.`,
    );
  }
  return k > 1 ? resizeLanczos4U8(src, width, height) : resizeAreaU8(src, width, height);
}
