/**
 * Title internals: the layout reproduces the recorded geometry, and the bundled font (through the shared
 * renderer) draws real CJK glyphs (checked by their ink shapes, which tofu boxes or hex boxes would not have).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledFontFile, renderTextLayersRaw } from '@backdrop/layers';
import { type TitleStyle, layoutTitle, textResultParams, textWidthEm } from '../src/images/text-layout.js';

const style: TitleStyle = {
  maskColour: [10, 20, 30],
  titleColour: [250, 240, 230],
  pillColour: [250, 240, 230],
  subTitleColour: [10, 20, 30],
  fontFamily: '站酷文艺体',
  titleShadow: '1px 0px #80808080',
  titleStroke: '1px #fffffff0',
  pillShadow: '2px 1px #80808080',
};

/** Ink bounding box of `text` drawn by the shared renderer (black on white) at `size` px. */
async function inkBox(text: string, size: number): Promise<{ ink: number; box: { w: number; h: number } }> {
  const side = Math.ceil(size * 1.5);
  const white = { data: Buffer.alloc(side * side * 3, 255), width: side, height: side, channels: 3 as const };
  const layer = { type: 'text' as const, idx: 0, content: text, fontSize: size, fontColor: '#000000', left: 0, top: 0, width: side, height: side };
  const img = renderTextLayersRaw(white, [layer]);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -1;
  let maxY = -1;
  let ink = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (img.data[(y * side + x) * 4] < 128) {
        ink++;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
    }
  }
  return { ink, box: { w: maxX - minX + 1, h: maxY - minY + 1 } };
}

describe('bundled CJK font', () => {
  it('the OTF files are found', () => {
    expect(existsSync(bundledFontFile('Regular'))).toBe(true);
    expect(existsSync(bundledFontFile('Medium'))).toBe(true);
  });

  it('一 is a flat horizontal stroke, 十 a cross, 口 a hollow square — real glyphs, not boxes', async () => {
    const one = await inkBox('一', 100);
    expect(one.box.w).toBeGreaterThan(60);
    expect(one.box.h).toBeLessThan(20); // a box (tofu) would be about as tall as wide
    const ten = await inkBox('十', 100);
    expect(ten.box.h).toBeGreaterThan(70);
    expect(ten.ink / (ten.box.w * ten.box.h)).toBeLessThan(0.3); // two strokes, mostly empty
    const mouth = await inkBox('口', 100);
    expect(mouth.box.h).toBeGreaterThan(50);
    expect(mouth.ink / (mouth.box.w * mouth.box.h)).toBeLessThan(0.5);
  });
});

describe('title layout', () => {
  it('reproduces the recorded 1024-px geometry (title 67 px 385×77 at 319,25; pill at 118, 50 high; mask 257)', () => {
    const layout = layoutTitle(1024, 1024, '分享好时光', '只为不一样的你');
    expect(layout.title).toMatchObject({ fontSize: 67, top: 25, left: 319, width: 385, height: 77 });
    expect(layout.subTitle).toMatchObject({ fontSize: 27, top: 118, height: 50 });
    expect(Math.abs(layout.pill!.width - 233)).toBeLessThanOrEqual(1);
    expect(Math.abs(layout.pill!.left - 395)).toBeLessThanOrEqual(1);
    expect(layout.mask).toEqual({ top: 0, left: 0, width: 1024, height: 257 });
  });

  it('keeps every box inside small or narrow images', () => {
    for (const [w, h] of [
      [40, 30],
      [64, 2000],
      [2000, 50],
    ]) {
      const layout = layoutTitle(w, h, '一二三四五六七八', '一二三四五六七八九十');
      for (const box of [layout.mask, layout.title, layout.pill!, layout.subTitle!]) {
        expect(box.left).toBeGreaterThanOrEqual(0);
        expect(box.top).toBeGreaterThanOrEqual(0);
        expect(box.left + box.width).toBeLessThanOrEqual(w);
        expect(box.top + box.height).toBeLessThanOrEqual(h);
      }
    }
  });

  it('places the title in a given band: at the top of an upper band, at the bottom of a lower one (mask opaque there)', () => {
    const inBand = (box: { left: number; top: number; width: number; height: number }, band: typeof lower): boolean =>
      box.left >= band.left && box.top >= band.top && box.left + box.width <= band.left + band.width && box.top + box.height <= band.top + band.height;
    const lower = { top: 700, left: 100, width: 800, height: 324 };
    const low = layoutTitle(1024, 1024, '分享好时光', '只为不一样的你', lower);
    for (const box of [low.mask, low.title, low.pill!, low.subTitle!]) expect(inBand(box, lower)).toBe(true);
    expect(low.mask.top + low.mask.height).toBe(1024);
    expect(low.maskOpaqueEdge).toBe('bottom');
    const gradient = (textResultParams(0, low, style).layers as { gradient?: { coords: { y1: number; y2: number } } }[])[0].gradient!;
    expect(gradient.coords.y2).toBeGreaterThan(gradient.coords.y1); // transparent at the top, opaque at the bottom
    const upper = { top: 40, left: 0, width: 1024, height: 300 };
    const high = layoutTitle(1024, 1024, '分享好时光', undefined, upper);
    expect(high.maskOpaqueEdge).toBe('top');
    expect(high.mask.top).toBe(40);
    expect(inBand(high.title, upper)).toBe(true);
  });

  it('measures CJK as 1 em and Latin narrower', () => {
    expect(textWidthEm('分享')).toBe(2);
    expect(textWidthEm('ab')).toBeLessThan(1.5);
  });
});
