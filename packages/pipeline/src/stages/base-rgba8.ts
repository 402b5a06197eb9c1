/**
 * Base images with transparency in another layout than 8-bit RGBA (grey + alpha, palette + tRNS, RGB/grey +
 * tRNS colour key, 1/2/4-bit, 16-bit) are converted to 8-bit RGBA PNG before upload: the service takes
 * "RGBA 四通道" PNGs (the seed), and the emulator, like the service, refuses what does not decode to four
 * channels — uploading first and failing at submit would cost an upload and a wasted run.
 *
 * Every 8-bit (and lower) layout converts losslessly: grey → R = G = B, palette → its colours, tRNS → alpha
 * 0 for the key colour or the palette's alpha. 16-bit files cannot: we convert them too, rounding each channel
 * to 8 bits, and say so, rather than refuse. Reading: the results the service returns are 8-bit images, so
 * the lost low bits could never show in them; refusing would only send the user to do the same rounding by
 * hand. The conversion is said in one line (the validation warning) before anything is sent.
 */
import type sharp from 'sharp';
import { describePngLayout, isRgba8, type PngFacts } from '@backdrop/api';

/** What will be done to a base PNG with transparency before upload, or undefined when it is 8-bit RGBA already. */
export function describeRgba8Conversion(png: PngFacts): string | undefined {
  if (!png.hasAlpha || isRgba8(png)) return undefined;
  const layout = describePngLayout(png);
  return png.bitDepth === 16
    ? `is a ${layout} PNG; it is converted to 8-bit RGBA before upload, each channel rounded to 8 bits (not lossless, but the service returns 8-bit images)`
    : `is a ${layout} PNG; it is converted losslessly to 8-bit RGBA before upload (the service takes 8-bit RGBA PNGs)`;
}

/** Makes an 8-bit RGBA PNG (colour type 6) from `image`, a sharp pipeline of a PNG with transparency. */
export function toRgba8Png(image: sharp.Sharp): Promise<Buffer> {
  // toColourspace('srgb') expands grey and palette to RGB and brings 16-bit to 8-bit; ensureAlpha keeps the
  // alpha the file had (tRNS included); palette: false forces colour type 6 whatever the colour count.
  return image.toColourspace('srgb').ensureAlpha().png({ palette: false }).toBuffer();
}
