/**
 * Lossless PNG encoding of 8-bit RGBA images.
 */
import sharp from 'sharp';
import { assertImage, type ImageU8 } from './image-buffer.js';
import { ImageEncodeError } from './image-errors.js';

/**
 * Encodes a 4-channel 8-bit image as an RGBA PNG (lossless, every pixel and alpha kept as is).
 * zlib level 4, no row filters: on the HED golden outputs it takes about half the time of level 6 for
 * files about 5 % larger (levels 1–3 are faster still but 17 % to 95 % larger).
 */
export async function encodeRgbaPng(img: ImageU8): Promise<Buffer> {
  assertImage(img, 'image to encode');
  if (img.channels !== 4) throw new ImageEncodeError(`encodeRgbaPng needs 4 channels (RGBA), got ${img.channels}`);
  try {
    return await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
      .png({ compressionLevel: 4, adaptiveFiltering: false, palette: false, force: true })
      .toBuffer();
  } catch (err) {
    throw new ImageEncodeError(err instanceof Error ? err.message : String(err), err);
  }
}
