/** Decoding and pixel measurements for the renderer's tests. */
import sharp from 'sharp';
import type { MaskLayerModel, Rect, TextLayerModel } from '../../src/index.js';

/** RGBA pixels. */
export interface Rgba {
  data: Buffer;
  width: number;
  height: number;
}

/** Decodes PNG/SVG-rendered bytes into RGBA. */
export async function decode(bytes: Buffer): Promise<Rgba> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** A flat plain image (PNG). */
export async function plainPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();
}

/** A noisy plain image (PNG): every pixel differs, so any change shows. */
export async function noisyPng(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = 40 + ((s >>> 16) % 120);
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** The pixel at (x, y). */
export function px(img: Rgba, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2], img.data[i + 3]];
}

/** Largest channel difference of two colours. */
export function diff(a: readonly number[], b: readonly number[]): number {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/** Bounding box and count of pixels satisfying `test`, within `region` (default: whole image). */
export function inkBox(img: Rgba, test: (p: [number, number, number, number], x: number, y: number) => boolean, region?: Rect) {
  const r = region ?? { left: 0, top: 0, width: img.width, height: img.height };
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  let count = 0;
  let sumX = 0;
  for (let y = r.top; y < r.top + r.height; y++) {
    for (let x = r.left; x < r.left + r.width; x++) {
      if (!test(px(img, x, y), x, y)) continue;
      count++;
      sumX += x;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  return { count, left: minX, top: minY, right: maxX, bottom: maxY, width: maxX - minX + 1, height: maxY - minY + 1, meanX: count ? sumX / count : NaN };
}

/** Is (x, y) inside any of the rectangles? */
export function inside(rects: readonly Rect[], x: number, y: number): boolean {
  return rects.some((r) => x >= r.left && x < r.left + r.width && y >= r.top && y < r.top + r.height);
}

/** A text layer with defaults for everything but what a test sets. */
export function text(over: Partial<TextLayerModel> = {}): TextLayerModel {
  return {
    type: 'text',
    subType: 'Title',
    idx: 1,
    content: '分享好时光',
    fontSize: 40,
    fontFamily: '站酷文艺体',
    fontWeight: 'Regular',
    fontColor: '#ff0000',
    direction: 'horizontal',
    alignment: 'center',
    lineHeight: 1,
    opacity: 1,
    fontItalic: false,
    fontUnderLine: false,
    fontLineThrough: false,
    left: 20,
    top: 20,
    width: 260,
    height: 60,
    textShadow: 0,
    textStroke: null,
    ...over,
  };
}

/** A mask layer with defaults. */
export function mask(over: Partial<MaskLayerModel> = {}): MaskLayerModel {
  return { type: 'text_mask', idx: 0, color: '#0000ff', opacity: 1, left: 20, top: 20, width: 200, height: 100, radius: 0, gradient: null, ...over };
}

/** Pixels close to a colour. */
export function near(rgb: readonly number[], tolerance = 40) {
  return (p: readonly number[]): boolean => diff(p, rgb) <= tolerance;
}
