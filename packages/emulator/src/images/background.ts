/**
 * The generated background of one variant: the reference image cover-fitted and softened, or a gradient
 * from the prompt's palette, blended by `ref_prompt_weight` when both are given, plus a per-variant light.
 */
import sharp from 'sharp';
import { type Rgb, rgbToHex } from './palette.js';

/** What makes variants differ: light direction and strength, hue rotation. */
export interface VariantLook {
  /** Direction of the gradient/light, degrees. */
  angleDeg: number;
  /** Hue rotation, degrees. */
  hueShift: number;
  /** Opacity of the light/shade overlay, 0–1. */
  lightStrength: number;
}

/** Inputs of `renderBackground`. */
export interface BackgroundSpec {
  width: number;
  height: number;
  /** The reference image, already at `workSize` (see `prepareReference`). */
  ref?: RawImage;
  /** Palette from the prompt (already hue-shifted for the variant); used for the gradient and flattening. */
  palette: Rgb[];
  /** Whether a prompt was given (the gradient then joins a reference image with `refPromptWeight`). */
  hasPrompt: boolean;
  refPromptWeight: number;
  /** 0–999: more noise = softer, less like the reference. */
  noiseLevel: number;
  look: VariantLook;
}

/** A raw RGB image. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

function gradientEnds(angleDeg: number): { x1: number; y1: number; x2: number; y2: number } {
  const rad = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(rad) / 2;
  const dy = Math.sin(rad) / 2;
  return { x1: 0.5 - dx, y1: 0.5 - dy, x2: 0.5 + dx, y2: 0.5 + dy };
}

function svgGradient(width: number, height: number, stops: { offset: number; colour: string; opacity: number }[], angleDeg: number): Buffer {
  const { x1, y1, x2, y2 } = gradientEnds(angleDeg);
  const stopTags = stops
    .map((s) => `<stop offset="${s.offset}" stop-color="${s.colour}" stop-opacity="${s.opacity}"/>`)
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">${stopTags}</linearGradient></defs>` +
      `<rect width="${width}" height="${height}" fill="url(#g)"/></svg>`,
  );
}

function paletteGradient(spec: BackgroundSpec, opacity: number): Buffer {
  const stops = spec.palette.map((rgb, i) => ({
    offset: spec.palette.length === 1 ? 0 : i / (spec.palette.length - 1),
    colour: rgbToHex(rgb),
    opacity,
  }));
  return svgGradient(spec.width, spec.height, stops, spec.look.angleDeg);
}

function lightOverlay(spec: BackgroundSpec): Buffer {
  const a = spec.look.lightStrength;
  return svgGradient(
    spec.width,
    spec.height,
    [
      { offset: 0, colour: '#ffffff', opacity: a },
      { offset: 0.5, colour: '#808080', opacity: 0 },
      { offset: 1, colour: '#000000', opacity: a * 0.8 },
    ],
    spec.look.angleDeg + 90,
  );
}

/** Largest side the background is rendered at before scaling up (it is smooth: blurred or a gradient). */
const WORK_SIDE = 512;

/** The size a `width`×`height` background is drawn at: at most 512 px on the long side. */
function workSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, WORK_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes the reference image once per task: upright, cover-fitted to the work size of a `width`×`height`
 * output, RGBA (its transparency is flattened per variant, onto that variant's colour).
 */
export async function prepareReference(ref: Buffer, width: number, height: number): Promise<RawImage> {
  const size = workSize(width, height);
  const data = await sharp(ref).rotate().ensureAlpha().resize(size.width, size.height, { fit: 'cover' }).raw().toBuffer();
  return { data, ...size, channels: 4 };
}

/**
 * Renders the background as raw RGB pixels of the requested size. Everything is drawn at most 512 px on
 * the long side and scaled up once: the same look as drawing at full size (nothing in it is sharp), at a
 * fraction of the cost for 2048-px outputs.
 */
export async function renderBackground(spec: BackgroundSpec): Promise<RawImage> {
  const { width, height } = spec;
  const small: BackgroundSpec = { ...spec, ...workSize(width, height) };
  let base: Buffer;
  if (spec.ref) {
    const ref = spec.ref;
    const sigma = Math.max(0.3, Math.min(small.width, small.height) * (0.004 + (spec.noiseLevel / 999) * 0.03));
    const [r, g, b] = spec.palette[0];
    base = await sharp(ref.data, { raw: { width: ref.width, height: ref.height, channels: ref.channels } })
      .flatten({ background: { r, g, b } })
      .blur(sigma)
      .modulate({ hue: Math.round(spec.look.hueShift) })
      .removeAlpha()
      .raw()
      .toBuffer();
  } else {
    base = await sharp(paletteGradient(small, 1)).flatten({ background: '#808080' }).removeAlpha().raw().toBuffer();
  }
  const overlays: sharp.OverlayOptions[] = [];
  if (spec.ref && spec.hasPrompt && spec.refPromptWeight > 0) {
    overlays.push({ input: paletteGradient(small, spec.refPromptWeight) });
  }
  overlays.push({ input: lightOverlay(small) });
  const lit = await sharp(base, { raw: { width: small.width, height: small.height, channels: 3 } })
    .composite(overlays)
    .removeAlpha()
    .raw()
    .toBuffer();
  const data =
    small.width === width && small.height === height
      ? lit
      : await sharp(lit, { raw: { width: small.width, height: small.height, channels: 3 } })
          .resize(width, height, { fit: 'fill', kernel: 'cubic' })
          .raw()
          .toBuffer();
  return { data, width, height, channels: 3 };
}
