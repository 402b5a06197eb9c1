/** Paints masks and text placements on a skia canvas (`@napi-rs/canvas`), each clipped to its footprint. */
import { type CanvasGradient, type SKRSContext2D, createCanvas } from '@napi-rs/canvas';
import { type Shadow, cssRgba, parseColour, parseShadow } from './css-values.js';
import type { MaskLayerModel, Rect } from './layer-model.js';
import { canvasFont, type TextPlacement } from './text-placement.js';

/** Gradient stops sorted and clamped, colours parsed; undefined when the gradient cannot be used. */
export function gradientStops(mask: MaskLayerModel): { offset: number; colour: NonNullable<ReturnType<typeof parseColour>> }[] | undefined {
  const g = mask.gradient;
  if (!g || !g.coords || !Array.isArray(g.colorStops) || g.colorStops.length === 0) return undefined;
  const stops = g.colorStops
    .map((s) => ({ offset: Math.min(1, Math.max(0, Number(s.offset))), colour: parseColour(s.color) }))
    .filter((s): s is { offset: number; colour: NonNullable<typeof s.colour> } => s.colour !== undefined && Number.isFinite(s.offset));
  return stops.length > 0 ? stops.sort((a, b) => a.offset - b.offset) : undefined;
}

/** Gradient line in image pixels (coords are relative to the box; `percentage` units are fractions of it). */
export function gradientLine(mask: MaskLayerModel): { x1: number; y1: number; x2: number; y2: number } {
  const c = mask.gradient!.coords;
  const fraction = /^perc/i.test(mask.gradient!.gradientUnits ?? '');
  const sx = fraction ? mask.width : 1;
  const sy = fraction ? mask.height : 1;
  return { x1: mask.left + c.x1 * sx, y1: mask.top + c.y1 * sy, x2: mask.left + c.x2 * sx, y2: mask.top + c.y2 * sy };
}

/** Corner radius limited to half the shorter side. */
export function cornerRadius(mask: MaskLayerModel): number {
  return Math.max(0, Math.min(mask.radius ?? 0, mask.width / 2, mask.height / 2));
}

function clipTo(ctx: SKRSContext2D, rects: Rect[]): void {
  ctx.beginPath();
  for (const r of rects) ctx.rect(r.left, r.top, r.width, r.height);
  ctx.clip();
}

function setShadow(ctx: SKRSContext2D, shadow: Shadow | undefined): void {
  if (!shadow) return;
  ctx.shadowColor = cssRgba(shadow.colour);
  ctx.shadowOffsetX = shadow.dx;
  ctx.shadowOffsetY = shadow.dy;
  ctx.shadowBlur = shadow.blur;
}

/** Draws a mask: rounded box filled with its gradient or colour, its shadow beneath, times its opacity. */
export function paintMask(ctx: SKRSContext2D, mask: MaskLayerModel, footprint: Rect[]): void {
  const stops = gradientStops(mask);
  const colour = parseColour(mask.color);
  if ((!stops && !colour) || mask.width <= 0 || mask.height <= 0 || footprint.length === 0) return;
  ctx.save();
  clipTo(ctx, footprint);
  ctx.globalAlpha = mask.opacity !== undefined ? Math.min(1, Math.max(0, mask.opacity)) : 1;
  if (stops) {
    const line = gradientLine(mask);
    const gradient: CanvasGradient = ctx.createLinearGradient(line.x1, line.y1, line.x2, line.y2);
    for (const s of stops) gradient.addColorStop(s.offset, cssRgba(s.colour));
    ctx.fillStyle = gradient;
  } else {
    ctx.fillStyle = cssRgba(colour!);
  }
  setShadow(ctx, parseShadow(mask.boxShadow));
  ctx.beginPath();
  ctx.roundRect(mask.left, mask.top, mask.width, mask.height, cornerRadius(mask));
  ctx.fill();
  ctx.restore();
}

/**
 * Draws a text: stroke (twice the visible width, under the fill), fill and decoration bars on a layer of
 * the box's size; the layer then goes onto the image with the shadow and the opacity, so the shadow is cast
 * once by the whole title and opacity applies to it as a whole.
 */
export function paintText(ctx: SKRSContext2D, p: TextPlacement, footprint: Rect[]): void {
  const { box } = p;
  const w = Math.ceil(box.width);
  const h = Math.ceil(box.height);
  if (w <= 0 || h <= 0 || footprint.length === 0 || p.content.length === 0) return;
  const layer = createCanvas(w, h);
  const lc = layer.getContext('2d');
  lc.translate(-box.left, -box.top);
  lc.font = canvasFont(p);
  lc.textAlign = p.anchor === 'start' ? 'left' : p.anchor === 'end' ? 'right' : 'center';
  lc.textBaseline = 'alphabetic';
  if (p.stroke) {
    lc.strokeStyle = cssRgba(p.stroke.colour);
    lc.lineWidth = p.stroke.width * 2;
    lc.lineJoin = 'round';
    for (const run of p.runs) lc.strokeText(run.text, run.x, run.y);
    for (const d of p.decorations) lc.strokeRect(d.left, d.top, d.width, d.height);
  }
  lc.fillStyle = cssRgba(p.colour);
  for (const run of p.runs) lc.fillText(run.text, run.x, run.y);
  for (const d of p.decorations) lc.fillRect(d.left, d.top, d.width, d.height);
  ctx.save();
  clipTo(ctx, footprint);
  ctx.globalAlpha = p.opacity;
  setShadow(ctx, p.shadow);
  ctx.drawImage(layer, box.left, box.top);
  ctx.restore();
}
