/** Parses the colour, shadow and stroke strings of the layer model. */

/** A colour with straight (not premultiplied) alpha 0–1. */
export interface Colour {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** A shadow: offset, blur (CSS/canvas blur radius) and colour. */
export interface Shadow {
  dx: number;
  dy: number;
  blur: number;
  colour: Colour;
}

/** A text outline: visible width outside the glyphs, and colour. */
export interface Stroke {
  width: number;
  colour: Colour;
}

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` (case-insensitive); undefined for anything else. */
export function parseColour(value: string | undefined | null): Colour | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(value.trim());
  if (!m) return undefined;
  let hex = m[1];
  if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('');
  const n = (i: number): number => parseInt(hex.slice(i, i + 2), 16);
  return { r: n(0), g: n(2), b: n(4), a: hex.length === 8 ? n(6) / 255 : 1 };
}

/** `rgba(r, g, b, a)` for canvas. */
export function cssRgba(c: Colour): string {
  return `rgba(${c.r}, ${c.g}, ${c.b}, ${round(c.a, 4)})`;
}

/** `#rrggbb` (opacity goes in a separate SVG attribute). */
export function hexRgb(c: Colour): string {
  return `#${[c.r, c.g, c.b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/** Rounds for output text (SVG attributes, CSS). */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function isNone(value: string | number | null | undefined): boolean {
  return value === undefined || value === null || typeof value === 'number' || /^\s*(none|null|0)?\s*$/i.test(value);
}

/** `"dx dy [blur] colour"` (px units optional); undefined for `0`, `None`, null or an invisible shadow. */
export function parseShadow(value: string | number | null | undefined): Shadow | undefined {
  if (isNone(value)) return undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)(?:px)?\s+(-?\d+(?:\.\d+)?)(?:px)?(?:\s+(\d+(?:\.\d+)?)(?:px)?)?\s+(#[0-9a-f]+)\s*$/i.exec(String(value));
  if (!m) return undefined;
  const colour = parseColour(m[4]);
  if (!colour || colour.a === 0) return undefined;
  const shadow = { dx: Number(m[1]), dy: Number(m[2]), blur: m[3] ? Number(m[3]) : 0, colour };
  // A sharp shadow exactly under the shape is hidden by it.
  return shadow.dx === 0 && shadow.dy === 0 && shadow.blur === 0 ? undefined : shadow;
}

/** `"width colour"` (px optional); undefined for `0`, `None`, null, zero width or a transparent colour. */
export function parseStroke(value: string | number | null | undefined): Stroke | undefined {
  if (isNone(value)) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)(?:px)?\s+(#[0-9a-f]+)\s*$/i.exec(String(value));
  if (!m) return undefined;
  const colour = parseColour(m[2]);
  const width = Number(m[1]);
  return colour && colour.a > 0 && width > 0 ? { width, colour } : undefined;
}

/** How far a shadow's blur reaches beyond its shape (canvas blur = 2σ; 3σ covers it). */
export function blurReach(blur: number): number {
  return blur > 0 ? Math.ceil(blur * 1.5) + 1 : 0;
}
