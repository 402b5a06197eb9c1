/**
 * Where a text layer's glyphs go: the font size fitted to the box (shrink only, never overflow), the
 * baseline of every line (horizontal) or every character (vertical: columns right to left, characters
 * upright top to bottom), and the underline / line-through rectangles. Shared by the PNG and SVG output so
 * both put the text in the same place.
 *
 * Geometry: a line's em box is `fontSize` high with the alphabetic baseline at 0.88 em (the CJK ideographic
 * em box); lines are `fontSize × lineHeight` apart and the block is centred vertically in the box. The
 * visible stroke lies outside the glyphs, so the fitted text keeps `stroke width` from every box edge; italic
 * glyphs lean right by up to 0.22 em, which is reserved too.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { type Colour, type Shadow, type Stroke, parseColour, parseShadow, parseStroke } from './css-values.js';
import { cssFontWeight, fontFamilies } from './font-registry.js';
import type { Rect, TextLayerModel } from './layer-model.js';

/** Baseline of the em box, in em from its top. */
const BASELINE_EM = 0.88;
/** Extra width reserved for italic glyphs, in em. */
const ITALIC_LEAN_EM = 0.22;

/** One piece of text at a baseline point; `anchor` says which end (or the middle) `x` is. */
export interface TextRun {
  text: string;
  x: number;
  y: number;
}

/** Everything needed to draw one text layer. */
export interface TextPlacement {
  layer: TextLayerModel;
  box: Rect;
  content: string;
  fontSize: number;
  families: string[];
  weight: number;
  italic: boolean;
  colour: Colour;
  opacity: number;
  stroke?: Stroke;
  shadow?: Shadow;
  vertical: boolean;
  anchor: 'start' | 'middle' | 'end';
  runs: TextRun[];
  /** Underline and line-through bars, in image pixels. */
  decorations: Rect[];
}

/** CSS / canvas font shorthand. */
export function canvasFont(p: Pick<TextPlacement, 'italic' | 'weight' | 'fontSize' | 'families'>): string {
  return `${p.italic ? 'italic ' : ''}${p.weight} ${p.fontSize}px ${p.families.map((f) => `"${f}"`).join(', ')}`;
}

function alignmentOf(alignment: string | undefined): 'start' | 'middle' | 'end' {
  const a = (alignment ?? 'center').toLowerCase();
  if (a === 'left' || a === 'start' || a === 'top') return 'start';
  if (a === 'right' || a === 'end' || a === 'bottom') return 'end';
  return 'middle';
}

/** Lays out `layer` with its content (already overridden where asked) using `ctx` to measure. */
export function placeText(ctx: SKRSContext2D, layer: TextLayerModel): TextPlacement {
  const box: Rect = { left: layer.left, top: layer.top, width: Math.max(0, layer.width), height: Math.max(0, layer.height) };
  const vertical = /^vert/i.test(layer.direction ?? '');
  const lineHeight = layer.lineHeight !== undefined && layer.lineHeight > 0 ? layer.lineHeight : 1;
  const lines = (layer.content ?? '').split(/\r?\n/);
  const stroke = parseStroke(layer.textStroke);
  const inset = stroke?.width ?? 0;
  const innerW = Math.max(0, box.width - 2 * inset);
  const innerH = Math.max(0, box.height - 2 * inset);
  const base = {
    families: fontFamilies(layer.fontFamily),
    weight: cssFontWeight(layer.fontWeight),
    italic: layer.fontItalic === true,
  };
  const lean = base.italic ? ITALIC_LEAN_EM : 0;
  const measure = (text: string, size: number): number => {
    ctx.font = canvasFont({ ...base, fontSize: size });
    return ctx.measureText(text).width;
  };
  // The block's extent at a size: [along lines, across lines].
  const extent = (size: number): [number, number] => {
    const stack = (lines.length - 1) * size * lineHeight + size;
    if (vertical) return [stack + lean * size, Math.max(...lines.map((l) => [...l].length)) * size];
    return [Math.max(...lines.map((l) => measure(l, size))) + lean * size, stack];
  };
  const fits = (size: number): boolean => {
    const [w, h] = extent(size);
    return w <= innerW + 1e-6 && h <= innerH + 1e-6;
  };
  let size = layer.fontSize !== undefined && layer.fontSize > 0 ? layer.fontSize : innerH / ((lines.length - 1) * lineHeight + 1);
  if (!fits(size)) {
    const [w, h] = extent(size);
    size = Math.min(size * (w > 0 ? innerW / w : 1), size * (h > 0 ? innerH / h : 1));
    size = Math.floor(size * 100) / 100;
    while (size > 0.5 && !fits(size)) size = Math.floor(size * 98) / 100;
  }
  size = Math.max(0.5, size);
  const [blockW, blockH] = extent(size);
  const anchor = alignmentOf(layer.alignment);
  const runs: TextRun[] = [];
  const decorations: Rect[] = [];
  const bar = Math.max(1, Math.round((size / 16) * 100) / 100);
  if (!vertical) {
    const top = box.top + (box.height - blockH) / 2;
    const x = anchor === 'start' ? box.left + inset : anchor === 'end' ? box.left + box.width - inset - lean * size : box.left + box.width / 2;
    lines.forEach((text, i) => {
      const y = top + i * size * lineHeight + BASELINE_EM * size;
      runs.push({ text, x, y });
      const width = measure(text, size);
      const start = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
      if (layer.fontUnderLine) decorations.push({ left: start, top: y + 0.06 * size, width, height: bar });
      if (layer.fontLineThrough) decorations.push({ left: start, top: y - 0.36 * size - bar / 2, width, height: bar });
    });
  } else {
    const right = box.left + (box.width + blockW) / 2 - lean * size;
    lines.forEach((column, j) => {
      const chars = [...column];
      const centre = right - size / 2 - j * size * lineHeight;
      const height = chars.length * size;
      const top = anchor === 'start' ? box.top + inset : anchor === 'end' ? box.top + box.height - inset - height : box.top + (box.height - height) / 2;
      chars.forEach((text, k) => runs.push({ text, x: centre, y: top + k * size + BASELINE_EM * size }));
      if (layer.fontUnderLine) decorations.push({ left: centre + size / 2 - bar, top, width: bar, height });
      if (layer.fontLineThrough) decorations.push({ left: centre - bar / 2, top, width: bar, height });
    });
  }
  const opacity = layer.opacity !== undefined ? Math.min(1, Math.max(0, layer.opacity)) : 1;
  return {
    layer,
    box,
    content: layer.content,
    fontSize: size,
    ...base,
    colour: parseColour(layer.fontColor) ?? { r: 0, g: 0, b: 0, a: 1 },
    opacity,
    stroke,
    shadow: parseShadow(layer.textShadow),
    vertical,
    anchor: vertical ? 'middle' : anchor,
    runs,
    decorations,
  };
}
