/**
 * Edge elements (HED soft-edge maps, RGBA) drawn as tinted strokes: resized to the output size, colour =
 * the tint, alpha = element alpha × edge intensity.
 */
import sharp from 'sharp';
import type { Rgb } from './palette.js';
import type { RawImage } from './background.js';

const PIXELS_PER_SLICE = 1 << 18;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A tinted RGBA layer of `width`×`height` from an edge element. Yields to the event loop while it works. */
export async function tintEdgeElement(element: Buffer, width: number, height: number, tint: Rgb): Promise<RawImage> {
  const source = await sharp(element)
    .resize(width, height, { fit: 'fill' })
    .toColourspace('srgb')
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = source.info.channels;
  const input = source.data;
  const out = Buffer.alloc(width * height * 4);
  const pixels = width * height;
  for (let start = 0; start < pixels; start += PIXELS_PER_SLICE) {
    const end = Math.min(pixels, start + PIXELS_PER_SLICE);
    for (let p = start; p < end; p++) {
      const i = p * channels;
      const intensity = Math.max(input[i], input[i + 1], input[i + 2]);
      const o = p * 4;
      out[o] = tint[0];
      out[o + 1] = tint[1];
      out[o + 2] = tint[2];
      out[o + 3] = Math.round((input[i + channels - 1] * intensity) / 255);
    }
    if (end < pixels) await yieldToEventLoop();
  }
  return { data: out, width, height, channels: 4 };
}
