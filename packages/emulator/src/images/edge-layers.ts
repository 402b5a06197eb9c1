/**
 * Edge elements (HED soft-edge maps, RGBA) drawn as tinted strokes: resized to the output size, colour =
 * the tint, alpha = element alpha × edge intensity (the map's grey level). All of one side's elements
 * are flattened into one layer, bottom to top, so each variant composites two layers at most. The work
 * runs in libvips threads, not on the event loop.
 */
import sharp from 'sharp';
import type { RawImage } from './background.js';
import type { Rgb } from './palette.js';

/** One element to draw: its bytes and its tint. */
export interface TintedElement {
  bytes: Buffer;
  tint: Rgb;
}

/** A tinted RGBA layer of `width`×`height` from one edge element. */
export async function tintEdgeElement(element: Buffer, width: number, height: number, tint: Rgb): Promise<RawImage> {
  // Grey level × alpha: flattening grey+alpha onto black multiplies them.
  const strength = await sharp(element)
    .resize(width, height, { fit: 'fill' })
    .ensureAlpha()
    .toColourspace('b-w')
    .flatten({ background: '#000000' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  const data = await sharp({ create: { width, height, channels: 3, background: { r: tint[0], g: tint[1], b: tint[2] } } })
    .joinChannel(strength, { raw: { width, height, channels: 1 } })
    .raw()
    .toBuffer();
  return { data, width, height, channels: 4 };
}

/** All elements of one side flattened into a single RGBA layer (undefined when there are none). */
export async function edgeLayer(elements: TintedElement[], width: number, height: number): Promise<RawImage | undefined> {
  if (elements.length === 0) return undefined;
  const layers: sharp.OverlayOptions[] = [];
  for (const element of elements) {
    const layer = await tintEdgeElement(element.bytes, width, height, element.tint);
    layers.push({ input: layer.data, raw: { width, height, channels: 4 } });
  }
  const data = await sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
    .composite(layers)
    .raw()
    .toBuffer();
  return { data, width, height, channels: 4 };
}
