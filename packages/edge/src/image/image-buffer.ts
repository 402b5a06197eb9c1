/**
 * In-memory images: row-major, interleaved channels (HWC), like a numpy `uint8`/`float32` array of shape (H, W, C).
 */
import { EdgeError } from '../errors.js';

/** An 8-bit image (`data.length === width * height * channels`). */
export interface ImageU8 {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** A float32 image (`data.length === width * height * channels`). */
export interface ImageF32 {
  data: Float32Array;
  width: number;
  height: number;
  channels: number;
}

/** An image buffer whose shape does not match its data, or a size that cannot be produced (`IMAGE_SHAPE_INVALID`). */
export class ImageShapeError extends EdgeError {
  constructor(message: string) {
    super('IMAGE_SHAPE_INVALID', message);
  }
}

/** Throws {@link ImageShapeError} unless `img` is a well-formed, non-empty image. */
export function assertImage(img: ImageU8 | ImageF32, what = 'image'): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(channels) || width < 1 || height < 1 || channels < 1) {
    throw new ImageShapeError(`The ${what} has an invalid shape ${width}×${height}×${channels}; width, height and channels must be positive integers.`);
  }
  if (data.length !== width * height * channels) {
    throw new ImageShapeError(`The ${what} is ${width}×${height}×${channels} but its buffer holds ${data.length} values (expected ${width * height * channels}).`);
  }
}

/** Throws {@link ImageShapeError} unless `width`×`height` is a valid target size. */
export function assertTargetSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageShapeError(`Cannot resize to ${width}×${height}: the target width and height must be positive integers.`);
  }
}

/** A copy of `img` with its own buffer. */
export function copyImageU8(img: ImageU8): ImageU8 {
  return { data: img.data.slice(), width: img.width, height: img.height, channels: img.channels };
}

/** A copy of `img` with its own buffer. */
export function copyImageF32(img: ImageF32): ImageF32 {
  return { data: img.data.slice(), width: img.width, height: img.height, channels: img.channels };
}
