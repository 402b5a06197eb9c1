/** Image checks the service makes on inputs at submit time (format, alpha, size). */
import sharp from 'sharp';
import { invalidParameter } from './errors.js';

/** Longest side the service accepts for the base image. */
const MAX_BASE_LONG_SIDE = 2048;

/** A decoded-enough look at an input image. */
export interface InspectedImage {
  bytes: Buffer;
  width: number;
  height: number;
  hasAlpha: boolean;
  /** Bands as decoded: 4 = RGBA, 2 = grey + alpha. */
  channels: number;
  format: string;
}

/** Reads the header of an image; 400 when it is not an image libvips can decode. */
export async function inspectImage(bytes: Buffer, path: string): Promise<InspectedImage> {
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    if (!meta.width || !meta.height || !meta.format) throw new Error('no size');
    return {
      bytes,
      width: meta.width,
      height: meta.height,
      hasAlpha: meta.hasAlpha === true,
      channels: meta.channels ?? 0,
      format: meta.format,
    };
  } catch {
    throw invalidParameter(`${path} is not an image the service can read; use PNG, JPEG or WebP.`);
  }
}

function describe(image: InspectedImage): string {
  const bands = { 1: 'grey', 2: 'grey + alpha', 3: 'RGB', 4: 'RGBA' }[image.channels] ?? `${image.channels} channels`;
  return `${image.format.toUpperCase()}, ${bands}`;
}

/** The base image must be a four-channel (RGBA) PNG, long side ≤ 2048 px. */
export function checkBaseImage(image: InspectedImage): void {
  if (image.format !== 'png' || image.channels !== 4) {
    throw invalidParameter(`input.base_image_url must be an RGBA (four-channel) PNG with a transparent background (got ${describe(image)}); convert the cut-out to RGBA PNG.`);
  }
  const longSide = Math.max(image.width, image.height);
  if (longSide > MAX_BASE_LONG_SIDE) {
    throw invalidParameter(`input.base_image_url is ${image.width}×${image.height}; its long side must be at most ${MAX_BASE_LONG_SIDE} px. Scale it down first.`);
  }
}

/** Edge elements must be images with an alpha channel (the HED recipe's RGBA output). */
export function checkEdgeElement(image: InspectedImage, path: string): void {
  if (!image.hasAlpha) {
    throw invalidParameter(`${path} must be an RGBA image with a transparent background (an edge element made by the HED recipe).`);
  }
}
