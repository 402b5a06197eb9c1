/**
 * Lossless PNG encoding of 8-bit RGBA images.
 */
import sharp from 'sharp';
import { assertImage, type ImageU8 } from './image-buffer.js';
import { ImageEncodeError } from './image-errors.js';

/** Encodes a 4-channel 8-bit image as an RGBA PNG (lossless, every pixel and alpha kept as is). */
export async function encodeRgbaPng(img: ImageU8): Promise<Buffer> {
  assertImage(img, 'image to encode');
  if (img.channels !== 4) throw new ImageEncodeError(`encodeRgbaPng needs 4 channels (RGBA), got ${img.channels}`);
  try {
    return await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
      .png({ compressionLevel: 6, adaptiveFiltering: false, palette: false, force: true })
      .toBuffer();
  } catch (err) {
    throw new ImageEncodeError(err instanceof Error ? err.message : String(err), err);
  }
}
