/**
 * `renderTextLayers`: draws `text_results` layers (masks and texts) onto a plain image, with optional new
 * strings for the title and sub-title, as PNG or editable SVG. Nothing reaches the service.
 */
import { type Image, type SKRSContext2D, createCanvas, loadImage } from '@napi-rs/canvas';
import { parseShadow } from './css-values.js';
import { LayersError } from './errors.js';
import { fallbackFontFaces } from './font-embedding.js';
import { prepareFonts } from './font-registry.js';
import { isMaskLayer, isTextLayer, layerFootprint } from './layer-footprint.js';
import type { LayerModel, TextOverrides } from './layer-model.js';
import { paintMask, paintText } from './canvas-painter.js';
import { type SvgItem, writeSvg } from './svg-writer.js';
import { applyOverrides } from './text-overrides.js';
import { placeText } from './text-placement.js';

/** Decoded pixels, row-major, 3 (RGB) or 4 (RGBA, straight alpha) channels. */
export interface RawPixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Options of {@link renderTextLayers}. */
export interface RenderOptions {
  /** Folder of the user's fonts (default env `BACKDROP_FONT_DIR`); see the package README. */
  fontDir?: string;
  /** `png` (default) or `svg`. */
  format?: 'png' | 'svg';
  /**
   * SVG only: embed the bundled fallback font, cut to the characters used, as `@font-face` (default true),
   * so the SVG looks the same in a browser without CJK fonts.
   */
  embedFonts?: boolean;
}

function sniffMime(bytes: Buffer): string | undefined {
  if (bytes.length > 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8) return 'image/jpeg';
  if (bytes.length > 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

async function decode(bytes: Buffer): Promise<Image> {
  if (!sniffMime(bytes)) throw new LayersError('LAYERS_BAD_IMAGE', 'The plain image is not a PNG, JPEG or WebP file.');
  try {
    return await loadImage(bytes);
  } catch (err) {
    throw new LayersError('LAYERS_BAD_IMAGE', 'The plain image could not be decoded; it may be truncated — download it again.', { cause: err });
  }
}

function rgbaOf(raw: RawPixels): Uint8ClampedArray {
  const out = new Uint8ClampedArray(raw.width * raw.height * 4);
  if (raw.channels === 4) {
    out.set(raw.data.subarray(0, out.length));
    return out;
  }
  for (let i = 0, j = 0; i < out.length; i += 4, j += 3) {
    out[i] = raw.data[j];
    out[i + 1] = raw.data[j + 1];
    out[i + 2] = raw.data[j + 2];
    out[i + 3] = 255;
  }
  return out;
}

function paintLayers(ctx: SKRSContext2D, layers: LayerModel[], width: number, height: number): void {
  for (const layer of layers) {
    const footprint = layerFootprint(layer, width, height);
    if (isMaskLayer(layer)) paintMask(ctx, layer, footprint);
    else if (isTextLayer(layer)) paintText(ctx, placeText(ctx, layer), footprint);
  }
}

/** Layers with overrides applied, ready to paint (fonts registered). */
function prepare(layers: readonly LayerModel[], overrides: TextOverrides | undefined, fontDir: string | undefined): LayerModel[] {
  prepareFonts(fontDir);
  return applyOverrides(layers, overrides);
}

/**
 * Draws the layers onto raw pixels and returns RGBA pixels of the same size (for callers that already hold
 * decoded images, like the emulator).
 */
export function renderTextLayersRaw(plain: RawPixels, layers: readonly LayerModel[], overrides?: TextOverrides, options: Pick<RenderOptions, 'fontDir'> = {}): RawPixels {
  const ordered = prepare(layers, overrides, options.fontDir);
  const canvas = createCanvas(plain.width, plain.height);
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(plain.width, plain.height);
  image.data.set(rgbaOf(plain));
  ctx.putImageData(image, 0, 0);
  paintLayers(ctx, ordered, plain.width, plain.height);
  const out = ctx.getImageData(0, 0, plain.width, plain.height);
  return { data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength), width: plain.width, height: plain.height, channels: 4 };
}

/**
 * Renders `layers` (a `text_results.params[i].layers` list in the camelCase model; see `layersFromWire` for
 * the wire form) onto `plain` (PNG/JPEG/WebP bytes, or raw pixels). `overrides` replace the title and
 * sub-title; new strings shrink to fit their boxes. Returns PNG bytes, or the SVG document's UTF-8 bytes.
 */
export async function renderTextLayers(plain: Buffer | RawPixels, layers: readonly LayerModel[], overrides?: TextOverrides, options: RenderOptions = {}): Promise<Buffer> {
  const ordered = prepare(layers, overrides, options.fontDir);
  const decoded = Buffer.isBuffer(plain) ? await decode(plain) : undefined;
  const width = decoded ? decoded.width : (plain as RawPixels).width;
  const height = decoded ? decoded.height : (plain as RawPixels).height;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (decoded) ctx.drawImage(decoded, 0, 0);
  else {
    const image = ctx.createImageData(width, height);
    image.data.set(rgbaOf(plain as RawPixels));
    ctx.putImageData(image, 0, 0);
  }
  if (options.format === 'svg') {
    const embedded = Buffer.isBuffer(plain) ? { mime: sniffMime(plain)!, bytes: plain } : { mime: 'image/png', bytes: await canvas.encode('png') };
    const items: SvgItem[] = [];
    for (const layer of ordered) {
      if (isMaskLayer(layer)) items.push({ kind: 'mask', mask: layer, shadow: parseShadow(layer.boxShadow) });
      else if (isTextLayer(layer)) items.push({ kind: 'text', text: placeText(ctx, layer) });
    }
    const texts = items.flatMap((item) => (item.kind === 'text' ? [item.text] : []));
    const fontFaces = options.embedFonts === false ? '' : await fallbackFontFaces(texts);
    return Buffer.from(writeSvg(width, height, embedded, items, fontFaces), 'utf8');
  }
  paintLayers(ctx, ordered, width, height);
  return canvas.encode('png');
}
