/**
 * The generated set of one variant, everything behind the subject: a wall and a floor meeting at a horizon
 * placed behind the subject (camera height per variant), a backdrop element on the wall, light from one
 * side, a vignette, on glossy floors the subject's faint reflection, and its soft contact shadow. The wall and floor take the
 * reference image (softened, with the floor laid over its lower part) or the prompt's palette; with both,
 * the palette is blended in by `ref_prompt_weight`.
 */
import sharp from 'sharp';
import { type Rgb, rgbToHex } from './palette.js';
import { contactShadows } from './contact-shadow.js';
import { floorReflection } from './floor-reflection.js';
import type { VariantLook } from './stage-look.js';
import type { SubjectFootprint } from './subject-footprint.js';

export type { VariantLook } from './stage-look.js';

/** Inputs of `renderBackground`. */
export interface BackgroundSpec {
  width: number;
  height: number;
  /** The reference image, already at `workSize` (see `prepareReference`). */
  ref?: RawImage;
  /** Palette (already hue-shifted for the variant): wall, accent, floor. */
  palette: Rgb[];
  /** Whether a prompt was given (its palette then joins a reference image with `refPromptWeight`). */
  hasPrompt: boolean;
  refPromptWeight: number;
  /** 0–999: more noise = softer, less like the reference. */
  noiseLevel: number;
  look: VariantLook;
  /** The subject measured at `workSize(width, height)`. */
  subject: SubjectFootprint;
}

/** A raw image. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Largest side the background is rendered at before scaling up (nothing in it is sharp). */
const WORK_SIDE = 512;

/** The size a `width`×`height` background is drawn at: at most 512 px on the long side. */
export function workSize(width: number, height: number): { width: number; height: number } {
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

/** Wall, accent and floor colours of a reference image: the mean of its top, middle and bottom thirds. */
export async function referencePalette(ref: RawImage): Promise<Rgb[]> {
  const thirds = await sharp(ref.data, { raw: { width: ref.width, height: ref.height, channels: ref.channels } })
    .flatten({ background: '#808080' })
    .resize(1, 3, { fit: 'fill', kernel: 'linear' })
    .removeAlpha()
    .raw()
    .toBuffer();
  return [0, 1, 2].map((i) => [thirds[i * 3], thirds[i * 3 + 1], thirds[i * 3 + 2]] as Rgb);
}

/** `colour` mixed towards white (`t` > 0) or black (`t` < 0). */
function mix(colour: Rgb, t: number): Rgb {
  const target = t >= 0 ? 255 : 0;
  const k = Math.min(1, Math.abs(t));
  return colour.map((v) => Math.round(v + (target - v) * k)) as Rgb;
}

/** The horizon's row (work pixels): `horizonRise` subject heights above its base, kept inside the image. */
function horizonRow(spec: Pick<BackgroundSpec, 'look' | 'subject'>): number {
  const { box, height } = spec.subject;
  const subjectHeight = box.bottom - box.top + 1;
  const base = box.bottom;
  const y = base - spec.look.horizonRise * subjectHeight;
  return Math.round(Math.max(height * 0.12, Math.min(height * 0.9, y)));
}

function backdropSvg(spec: BackgroundSpec, w: number, horizon: number, accent: Rgb): string {
  const { box } = spec.subject;
  const cx = (box.left + box.right) / 2 + spec.look.backdropOffset * w;
  const subjectWidth = box.right - box.left + 1;
  const subjectHeight = box.bottom - box.top + 1;
  const fill = rgbToHex(accent);
  switch (spec.look.backdrop) {
    case 'arch': {
      const half = Math.max(subjectWidth * 0.75, subjectHeight * 0.45);
      const top = Math.max(-half, box.top - subjectHeight * 0.25);
      return (
        `<path d="M${cx - half} ${horizon} L${cx - half} ${top + half} A${half} ${half} 0 0 1 ${cx + half} ${top + half} L${cx + half} ${horizon} Z" ` +
        `fill="${fill}" opacity="0.55"/>`
      );
    }
    case 'disc': {
      const r = Math.max(subjectWidth, subjectHeight) * 0.55;
      return `<circle cx="${cx}" cy="${Math.min(horizon, box.top + subjectHeight * 0.35)}" r="${r}" fill="${fill}" opacity="0.6"/>`;
    }
    case 'panels': {
      const step = Math.max(6, Math.round(w / 9));
      let rects = '';
      for (let x = step / 2; x < w; x += step) rects += `<rect x="${x}" y="0" width="${step / 2}" height="${horizon}" fill="${fill}" opacity="0.16"/>`;
      return rects;
    }
    case 'window': {
      const side = spec.look.lightSide;
      const ww = w * 0.22;
      const x = side < 0 ? w * 0.06 : w * 0.94 - ww;
      const wh = horizon * 0.6;
      const y = Math.max(2, horizon * 0.12);
      return (
        `<rect x="${x}" y="${y}" width="${ww}" height="${wh}" rx="${ww * 0.06}" fill="#fffdf5" opacity="0.55"/>` +
        `<rect x="${x + ww / 2 - 1}" y="${y}" width="2" height="${wh}" fill="${fill}" opacity="0.5"/>` +
        `<rect x="${x}" y="${y + wh / 2 - 1}" width="${ww}" height="2" fill="${fill}" opacity="0.5"/>`
      );
    }
    default:
      return '';
  }
}

/** The set as SVG at work size: wall (unless a reference image is the wall), backdrop, floor, light. */
function setSvg(spec: BackgroundSpec, w: number, h: number, withRef: boolean): Buffer {
  const [wallColour, accentColour, floorBase] = spec.palette;
  const horizon = horizonRow(spec);
  const floor = mix(floorBase, spec.look.floorTone);
  const floorFar = mix(floor, 0.18);
  const floorNear = mix(floor, -0.22);
  // Sets are muted: a studio wall, not a colour swatch (the prompt's hue stays recognisable).
  const wallTop = mix(wallColour, withRef ? 0.12 : 0.42);
  const wallLow = mix(wallColour, withRef ? -0.08 : 0.18);
  const lightX = spec.look.lightSide < 0 ? 0.1 : 0.9;
  const a = spec.look.lightStrength;
  const floorOpacity = withRef ? 0.6 : 1;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs>` +
      `<linearGradient id="wall" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgbToHex(wallTop)}"/><stop offset="1" stop-color="${rgbToHex(wallLow)}"/></linearGradient>` +
      `<linearGradient id="floor" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${rgbToHex(floorFar)}"/><stop offset="1" stop-color="${rgbToHex(floorNear)}"/></linearGradient>` +
      `<linearGradient id="seam" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.18"/></linearGradient>` +
      `<radialGradient id="light" cx="${lightX}" cy="0" r="0.9"><stop offset="0" stop-color="#fff" stop-opacity="${a}"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient>` +
      `<radialGradient id="shade" cx="${1 - lightX}" cy="1" r="0.8"><stop offset="0" stop-color="#000" stop-opacity="${a * 0.7}"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>` +
      `<radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.22"/></radialGradient>` +
      `</defs>` +
      (withRef ? '' : `<rect width="${w}" height="${h}" fill="url(#wall)"/>${backdropSvg(spec, w, horizon, mix(accentColour, 0.1))}`) +
      `<rect y="${horizon - Math.max(2, h * 0.04)}" width="${w}" height="${Math.max(2, h * 0.04)}" fill="url(#seam)"/>` +
      `<rect y="${horizon}" width="${w}" height="${h - horizon}" fill="url(#floor)" opacity="${floorOpacity}"/>` +
      `<rect y="${horizon}" width="${w}" height="1" fill="#fff" opacity="0.25"/>` +
      `<rect width="${w}" height="${h}" fill="url(#light)"/>` +
      `<rect width="${w}" height="${h}" fill="url(#shade)"/>` +
      `<rect width="${w}" height="${h}" fill="url(#vignette)"/>` +
      `</svg>`,
  );
}

function paletteWash(spec: BackgroundSpec, w: number, h: number, opacity: number): Buffer {
  const stops = spec.palette
    .map((rgb, i) => `<stop offset="${spec.palette.length === 1 ? 0 : i / (spec.palette.length - 1)}" stop-color="${rgbToHex(rgb)}" stop-opacity="${opacity}"/>`)
    .join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">${stops}</linearGradient></defs>` +
      `<rect width="${w}" height="${h}" fill="url(#g)"/></svg>`,
  );
}

/**
 * Renders the set as raw RGB pixels of the requested size. Everything is drawn at most 512 px on the long
 * side and scaled up once: the same look as drawing at full size (nothing in it is sharp), at a fraction
 * of the cost for 2048-px outputs.
 */
export async function renderBackground(spec: BackgroundSpec): Promise<RawImage> {
  const { width, height } = spec;
  const small = workSize(width, height);
  let base: Buffer;
  const overlays: sharp.OverlayOptions[] = [];
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
    if (spec.hasPrompt && spec.refPromptWeight > 0) overlays.push({ input: paletteWash(spec, small.width, small.height, spec.refPromptWeight) });
  } else {
    base = await sharp({ create: { width: small.width, height: small.height, channels: 3, background: '#808080' } })
      .raw()
      .toBuffer();
  }
  overlays.push({ input: setSvg(spec, small.width, small.height, spec.ref !== undefined) });
  if (spec.look.glossFloor > 0) {
    const reflection = await floorReflection(spec.subject, spec.look.glossFloor);
    if (reflection) overlays.push(reflection);
  }
  overlays.push(...(await contactShadows(spec.subject, spec.look.lightSide)));
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
