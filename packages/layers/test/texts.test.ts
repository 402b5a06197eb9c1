/**
 * Text layers drawn by skia, checked by their ink: family (through a font folder), size, weight, colour,
 * opacity, alignment, vertical direction, line height, italic, underline, line-through, shadow, stroke.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type TextLayerModel, bundledFontFile, renderTextLayers } from '../src/index.js';
import { type Rgba, decode, diff, inkBox, near, plainPng, px, text } from './helpers/pixels.js';

const W = 300;
const H = 200;
let white: Buffer;

beforeAll(async () => {
  white = await plainPng(W, H, [255, 255, 255]);
});

async function render(layer: Partial<TextLayerModel>, options: { fontDir?: string } = {}): Promise<Rgba> {
  return decode(await renderTextLayers(white, [text(layer)], undefined, options));
}

const red = near([255, 0, 0], 60);
const inked = (p: readonly number[]): boolean => p[0] < 200 || p[1] < 200 || p[2] < 200;

describe('text layers', () => {
  it('colour: the glyphs are drawn in font_color inside the box', async () => {
    const img = await render({});
    const ink = inkBox(img, red);
    expect(ink.count).toBeGreaterThan(300);
    expect(ink.left).toBeGreaterThanOrEqual(20);
    expect(ink.right).toBeLessThan(280);
    const green = await render({ fontColor: '#00a000' });
    expect(inkBox(green, near([0, 160, 0], 60)).count).toBeGreaterThan(300);
    expect(inkBox(green, red).count).toBe(0);
  });

  it('size: a larger font_size draws larger glyphs', async () => {
    const small = inkBox(await render({ fontSize: 20 }), inked);
    const large = inkBox(await render({ fontSize: 40 }), inked);
    expect(large.width / small.width).toBeGreaterThan(1.8);
    expect(large.height / small.height).toBeGreaterThan(1.7);
  });

  it('weight: Bold draws more ink than Light (bundled font has both)', async () => {
    const light = inkBox(await render({ fontWeight: 'light', fontColor: '#000000' }), (p) => p[0] < 128);
    const bold = inkBox(await render({ fontWeight: 'bold', fontColor: '#000000' }), (p) => p[0] < 128);
    expect(bold.count / light.count).toBeGreaterThan(1.4);
  });

  it('family: a font folder maps the layer family to its own file (by file name, or by fonts.json)', async () => {
    const regular = inkBox(await render({ fontColor: '#000000' }), (p) => p[0] < 128);
    // Stand-in user font: the bundled Bold file, named after the family the layer asks for.
    const byName = mkdtempSync(path.join(os.tmpdir(), 'layers-fonts-'));
    copyFileSync(bundledFontFile('Bold'), path.join(byName, '站酷文艺体.otf'));
    const named = inkBox(await render({ fontColor: '#000000' }, { fontDir: byName }), (p) => p[0] < 128);
    expect(named.count / regular.count).toBeGreaterThan(1.4);
    // The same folder through the environment variable (the CLI's default for --font-dir).
    process.env.BACKDROP_FONT_DIR = byName;
    try {
      expect(inkBox(await render({ fontColor: '#000000' }), (p) => p[0] < 128).count).toBe(named.count);
    } finally {
      delete process.env.BACKDROP_FONT_DIR;
    }
    const byMap = mkdtempSync(path.join(os.tmpdir(), 'layers-fonts-'));
    copyFileSync(bundledFontFile('Light'), path.join(byMap, 'thin-one.otf'));
    writeFileSync(path.join(byMap, 'fonts.json'), JSON.stringify({ 钉钉进步体: 'thin-one.otf' }));
    const mapped = inkBox(await render({ fontColor: '#000000', fontFamily: '钉钉进步体' }, { fontDir: byMap }), (p) => p[0] < 128);
    expect(mapped.count / regular.count).toBeLessThan(0.8);
    // An unknown family falls back to the bundled font: the same ink as the default.
    const fallback = inkBox(await render({ fontColor: '#000000', fontFamily: 'No Such Font' }), (p) => p[0] < 128);
    expect(fallback.count).toBe(regular.count);
    await expect(renderTextLayers(white, [text()], undefined, { fontDir: path.join(byMap, 'missing') })).rejects.toMatchObject({ code: 'LAYERS_FONT_DIR', userError: true });
  });

  it('opacity: at 0.5 the red text is blended half with the white plain image', async () => {
    const img = await render({ opacity: 0.5 });
    // The most saturated pixels are the glyph interiors: red 255, green/blue about 128.
    const core = inkBox(img, (p) => p[0] > 240 && Math.abs(p[1] - 128) <= 4 && Math.abs(p[2] - 128) <= 4);
    expect(core.count).toBeGreaterThan(100);
    expect(inkBox(img, near([255, 0, 0], 20)).count).toBe(0);
  });

  it('alignment: left, center and right put the text at the left edge, the middle and the right edge of the box', async () => {
    const box = { left: 20, width: 260 };
    const left = inkBox(await render({ alignment: 'left', fontSize: 30 }), red);
    const centre = inkBox(await render({ alignment: 'center', fontSize: 30 }), red);
    const middle = inkBox(await render({ alignment: 'middle', fontSize: 30 }), red);
    const right = inkBox(await render({ alignment: 'right', fontSize: 30 }), red);
    expect(left.left - box.left).toBeLessThan(8);
    expect(box.left + box.width - 1 - right.right).toBeLessThan(8);
    expect(Math.abs((centre.left + centre.right) / 2 - (box.left + box.width / 2))).toBeLessThan(4);
    expect(middle.left).toBe(centre.left);
  });

  it('vertical direction: characters stack top to bottom in a column', async () => {
    const horizontal = inkBox(await render({ content: '山川湖', fontSize: 40, top: 10, height: 180, width: 200 }), red);
    const vertical = inkBox(await render({ content: '山川湖', fontSize: 40, top: 10, height: 180, width: 200, direction: 'vertical' }), red);
    expect(horizontal.width).toBeGreaterThan(horizontal.height * 2);
    expect(vertical.height).toBeGreaterThan(vertical.width * 2);
    expect(vertical.height).toBeGreaterThan(100);
    // Two columns (lines) run right to left: the first column (山川) is right of the second (湖海).
    const columns = await render({ content: '山川\n湖海', fontSize: 40, top: 10, height: 180, width: 200, direction: 'vertical' });
    const rightHalf = inkBox(columns, red, { left: 120, top: 0, width: 180, height: H });
    const leftHalf = inkBox(columns, red, { left: 0, top: 0, width: 120, height: H });
    expect(rightHalf.count).toBeGreaterThan(100);
    expect(leftHalf.count).toBeGreaterThan(100);
  });

  it('line height: lines are font_size × line_height apart', async () => {
    const tight = inkBox(await render({ content: '一\n一', fontSize: 30, lineHeight: 1, top: 0, height: 200 }), red);
    const loose = inkBox(await render({ content: '一\n一', fontSize: 30, lineHeight: 2, top: 0, height: 200 }), red);
    // 一 is a flat stroke: the ink height is the distance between the two lines (plus one stroke).
    expect(loose.height - tight.height).toBeGreaterThan(25);
    expect(loose.height - tight.height).toBeLessThan(35);
  });

  it('italic: the top of the glyphs leans right of the bottom', async () => {
    const lean = async (italic: boolean): Promise<number> => {
      const img = await render({ content: '丨丨丨', fontItalic: italic, fontSize: 50, top: 0, height: 100 });
      const all = inkBox(img, red);
      const top = inkBox(img, red, { left: 0, top: all.top, width: W, height: 10 });
      const bottom = inkBox(img, red, { left: 0, top: all.bottom - 9, width: W, height: 10 });
      return top.meanX - bottom.meanX;
    };
    expect(Math.abs(await lean(false))).toBeLessThan(1.5);
    expect(await lean(true)).toBeGreaterThan(4);
  });

  it('underline and line-through draw a bar across the text below the glyphs and through their middle', async () => {
    const plainInk = inkBox(await render({ content: '口口口', fontSize: 40 }), red);
    const fullRow = (img: Rgba, y: number): boolean => {
      let run = 0;
      for (let x = plainInk.left + 2; x <= plainInk.right - 2; x++) if (red(px(img, x, y))) run++;
      return run >= plainInk.width - 5;
    };
    const rowsWithBar = (img: Rgba): number[] => {
      const rows: number[] = [];
      for (let y = 20; y < 80; y++) if (fullRow(img, y)) rows.push(y);
      return rows;
    };
    expect(rowsWithBar(await render({ content: '口口口', fontSize: 40 }))).toEqual([]);
    const under = rowsWithBar(await render({ content: '口口口', fontSize: 40, fontUnderLine: true }));
    expect(under.length).toBeGreaterThan(0);
    expect(Math.min(...under)).toBeGreaterThan(plainInk.bottom - 3);
    const through = rowsWithBar(await render({ content: '口口口', fontSize: 40, fontLineThrough: true }));
    expect(through.length).toBeGreaterThan(0);
    const mid = (plainInk.top + plainInk.bottom) / 2;
    for (const y of through) expect(Math.abs(y - mid)).toBeLessThan(8);
  });

  it('text shadow: shadow-coloured pixels at the offset, none without a shadow', async () => {
    const blue = near([0, 0, 255], 40);
    expect(inkBox(await render({}), blue).count).toBe(0);
    const img = await render({ textShadow: '3px 3px #0000ffff' });
    const shadow = inkBox(img, blue);
    const glyphs = inkBox(img, red);
    expect(shadow.count).toBeGreaterThan(100);
    expect(shadow.right - glyphs.right).toBe(3);
    expect(shadow.bottom - glyphs.bottom).toBe(3);
    // The service's "None" and 0 mean no shadow.
    expect(inkBox(await render({ textShadow: 'None' }), blue).count).toBe(0);
  });

  it('stroke: an outline in the stroke colour surrounds the glyphs, as wide as asked', async () => {
    const green = near([0, 255, 0], 60);
    expect(inkBox(await render({}), green).count).toBe(0);
    const plainInk = inkBox(await render({}), inked);
    const img = await render({ textStroke: '3px #00ff00ff' });
    const outline = inkBox(img, green);
    expect(outline.count).toBeGreaterThan(300);
    // The outline reaches about 3 px beyond the glyphs on each side (fitted: the text keeps 3 px from the box).
    expect(plainInk.left - outline.left).toBeGreaterThanOrEqual(2);
    expect(outline.right - plainInk.right).toBeGreaterThanOrEqual(2);
    // Inside the glyphs the fill (red) stays on top.
    expect(inkBox(img, red).count).toBeGreaterThan(200);
    const thin = inkBox(await render({ textStroke: '1px #00ff00ff' }), green);
    expect(outline.count / thin.count).toBeGreaterThan(2);
    expect(diff(px(img, 5, 5), [255, 255, 255])).toBe(0);
  });
});
