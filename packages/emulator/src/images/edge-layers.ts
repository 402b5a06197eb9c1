/**
 * Edge elements (HED soft-edge maps, RGBA) drawn at the output size. An element whose alpha outlines a
 * shape (an edge map of a decoration cut-out, transparent around it) becomes that shape filled with the
 * tint, its edges drawn darker — a flat stand-in for the object the service would generate there. An
 * element opaque all over (a bare edge map) is drawn as tinted strokes: alpha = edge intensity (the map's
 * grey level). All of one side's elements are flattened into one layer, bottom to top, so each variant
 * composites two layers at most. The work runs in libvips threads, not on the event loop.
 */
import sharp from 'sharp';
import type { RawImage } from './background.js';
import type { Rgb } from './palette.js';

/** One element to draw: its bytes and its tint. */
export interface TintedElement {
  bytes: Buffer;
  tint: Rgb;
}

/** Elements whose alpha covers less than this share of the image are drawn as filled shapes. */
const SHAPE_COVERAGE = 0.6;

/** The element as a filled, tinted shape: alpha = its alpha, colour = tint darkened along its edges. */
async function filledShape(resized: sharp.Sharp, alpha: Buffer, width: number, height: number, tint: Rgb): Promise<RawImage> {
  const grey = await resized.clone().toColourspace('b-w').extractChannel(0).linear(-0.5, 255).raw().toBuffer();
  const shade = await sharp(grey, { raw: { width, height, channels: 1 } })
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  const colour = await sharp({ create: { width, height, channels: 3, background: { r: tint[0], g: tint[1], b: tint[2] } } })
    .composite([{ input: shade, raw: { width, height, channels: 3 }, blend: 'multiply' }])
    .removeAlpha()
    .raw()
    .toBuffer();
  const data = await sharp(colour, { raw: { width, height, channels: 3 } })
    .joinChannel(alpha, { raw: { width, height, channels: 1 } })
    .raw()
    .toBuffer();
  return { data, width, height, channels: 4 };
}

/** A tinted RGBA layer of `width`×`height` from one edge element. */
async function tintEdgeElement(element: Buffer, width: number, height: number, tint: Rgb): Promise<RawImage> {
  const resized = sharp(element).resize(width, height, { fit: 'fill' }).ensureAlpha();
  const alpha = await resized.clone().extractChannel(3).raw().toBuffer();
  const coverage = (await sharp(alpha, { raw: { width, height, channels: 1 } }).stats()).channels[0].mean / 255;
  if (coverage < SHAPE_COVERAGE) return filledShape(resized, alpha, width, height, tint);
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
