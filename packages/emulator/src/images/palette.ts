/** Colours: prompt → palette (deterministic), conversions, and contrast picks for text. */
import { createHash } from 'node:crypto';

/** An sRGB colour, channels 0–255. */
export type Rgb = [number, number, number];

/** HSL (h in degrees, s and l in 0–1) to sRGB. */
function hslToRgb(h: number, s: number, l: number): Rgb {
  const hue = (((h % 360) + 360) % 360) / 360;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number): number => {
    let x = t;
    if (x < 0) x += 1;
    if (x > 1) x -= 1;
    if (x < 1 / 6) return p + (q - p) * 6 * x;
    if (x < 1 / 2) return q;
    if (x < 2 / 3) return p + (q - p) * (2 / 3 - x) * 6;
    return p;
  };
  return [channel(hue + 1 / 3), channel(hue), channel(hue - 1 / 3)].map((v) => Math.round(v * 255)) as Rgb;
}

/** sRGB to HSL (h in degrees, s and l in 0–1). */
function rgbToHsl([r8, g8, b8]: Rgb): [number, number, number] {
  const r = r8 / 255;
  const g = g8 / 255;
  const b = b8 / 255;
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const l = (max + min) / 2;
  if (max === min) return [0, 0, l];
  const d = max - min;
  const s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
  let h: number;
  if (max === r) h = (g - b) / d + (g < b ? 6 : 0);
  else if (max === g) h = (b - r) / d + 2;
  else h = (r - g) / d + 4;
  return [h * 60, s, l];
}

/** `#rrggbb`. */
export function rgbToHex(rgb: Rgb): string {
  return `#${rgb
    .map((v) =>
      Math.max(0, Math.min(255, Math.round(v)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** Relative luminance 0–1 (sRGB, WCAG). */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function hashBytes(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Three colours derived from a prompt: the same prompt always gives the same palette, different prompts
 * (almost always) different ones. `hueShift` rotates all three (per-variant variation).
 */
export function promptPalette(prompt: string, hueShift = 0): Rgb[] {
  const bytes = hashBytes(prompt);
  const baseHue = (bytes.readUInt16LE(0) / 65536) * 360 + hueShift;
  const spread = 20 + (bytes[2] / 255) * 60;
  return [0, 1, 2].map((i) => {
    const saturation = 0.35 + (bytes[3 + i] / 255) * 0.45;
    const lightness = 0.3 + (bytes[6 + i] / 255) * 0.45;
    return hslToRgb(baseHue + (i - 1) * spread, saturation, lightness);
  });
}

/** Colour words (Chinese and English) an element prompt may name, with the colour they stand for. */
const COLOUR_WORDS: [RegExp, Rgb][] = [
  [/粉|桃花|樱|pink|blossom/i, hslToRgb(345, 0.7, 0.78)],
  [/红|red/i, hslToRgb(2, 0.7, 0.5)],
  [/橙|orange/i, hslToRgb(28, 0.85, 0.56)],
  [/黄|金|yellow|gold/i, hslToRgb(46, 0.85, 0.56)],
  [/绿|叶|草|green|leaf|leaves|grass/i, hslToRgb(105, 0.45, 0.45)],
  [/蓝|blue/i, hslToRgb(212, 0.6, 0.55)],
  [/紫|purple|violet/i, hslToRgb(275, 0.45, 0.58)],
  [/棕|褐|木|brown|wood/i, hslToRgb(25, 0.45, 0.38)],
  [/白|white/i, hslToRgb(40, 0.2, 0.94)],
  [/黑|black/i, hslToRgb(0, 0, 0.14)],
  [/灰|grey|gray/i, hslToRgb(0, 0, 0.55)],
  [/猫|cat/i, hslToRgb(32, 0.55, 0.6)],
];

/**
 * A colour for an edge element: the colour its prompt names (粉色 → pink, 绿叶 → green, …), else one
 * derived from the prompt, else the fallback.
 */
export function elementTint(prompt: string, fallback: Rgb): Rgb {
  if (!prompt) return fallback;
  const named = COLOUR_WORDS.find(([words]) => words.test(prompt));
  if (named) return named[1];
  const bytes = hashBytes(`element:${prompt}`);
  return hslToRgb((bytes.readUInt16LE(0) / 65536) * 360, 0.7, 0.55);
}

/** A colour of the same hue that reads well on `background` (dark on light, light on dark). */
export function contrastingColour(background: Rgb): Rgb {
  const [h, s] = rgbToHsl(background);
  return luminance(background) > 0.35 ? hslToRgb(h, Math.min(0.7, s + 0.2), 0.16) : hslToRgb(h, Math.min(0.6, s + 0.1), 0.86);
}
