/**
 * New strings are fitted to their boxes (shrink only, never overflow), and nothing outside the layers'
 * footprints (box, plus the shadow's box) changes. The layers are the recorded service reply's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LayerModel, type TextLayerModel, applyOverrides, layersFootprint, layersFromWire, renderTextLayers } from '../src/index.js';
import { decode, inkBox, inside, noisyPng, plainPng, px, text } from './helpers/pixels.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The recorded reply's first image's layers (snake_case wire form), copied from the shared recordings. */
const recorded = JSON.parse(readFileSync(path.join(here, 'fixtures', 'recorded-text-results.json'), 'utf8')) as { params: { layers: unknown[] }[] };

let layers: LayerModel[];
beforeAll(() => {
  layers = layersFromWire(recorded.params[0].layers);
});

function textLayers(list: LayerModel[]): TextLayerModel[] {
  return list.filter((l): l is TextLayerModel => l.type === 'text');
}

describe('fit to box', () => {
  it('a long new title shrinks to stay inside its box; a short one keeps the layer font size', async () => {
    const white = await plainPng(1024, 300, [255, 255, 255]);
    // Only the title layer, in black with no stroke or shadow, so its ink is easy to find.
    const title = { ...textLayers(layers)[0], fontColor: '#000000', textStroke: null, textShadow: 0 };
    const long = await decode(await renderTextLayers(white, [title], { title: '一二三四五六七八' }));
    const ink = inkBox(long, (p) => p[0] < 200);
    expect(ink.count).toBeGreaterThan(500);
    expect(ink.left).toBeGreaterThanOrEqual(title.left);
    expect(ink.right).toBeLessThan(title.left + title.width);
    expect(ink.top).toBeGreaterThanOrEqual(title.top);
    expect(ink.bottom).toBeLessThan(title.top + title.height);
    // 8 characters at 67 px would be ~536 px wide; the box is 385.
    expect(ink.width).toBeGreaterThan(300);
    const short = inkBox(await decode(await renderTextLayers(white, [title], { title: '山' })), (p) => p[0] < 200);
    expect(short.height).toBeGreaterThan(50); // 67-px glyph, not shrunk and not grown
    expect(short.height).toBeLessThan(67);
  });

  it('a long vertical title shrinks to its column box', async () => {
    const white = await plainPng(300, 300, [255, 255, 255]);
    const layer = text({ direction: 'vertical', left: 100, top: 20, width: 60, height: 200, fontSize: 50, fontColor: '#000000', content: '一' });
    const img = await decode(await renderTextLayers(white, [layer], { title: '山川湖海风花雪月' }));
    const ink = inkBox(img, (p) => p[0] < 200);
    expect(ink.top).toBeGreaterThanOrEqual(20);
    expect(ink.bottom).toBeLessThan(220);
    expect(ink.left).toBeGreaterThanOrEqual(100);
    expect(ink.right).toBeLessThan(160);
    expect(ink.height).toBeGreaterThan(170);
  });

  it('nothing outside the footprints changes: every pixel there equals the plain image', async () => {
    const plain = await noisyPng(1024, 400);
    const before = await decode(plain);
    for (const overrides of [{}, { title: '一二三四五六七八', subTitle: '新品上市限时特惠抢购' }, { title: 'A' }]) {
      const after = await decode(await renderTextLayers(plain, layers, overrides));
      const footprint = layersFootprint(layers, 1024, 400);
      let changedInside = 0;
      let changedOutside = 0;
      for (let y = 0; y < 400; y++) {
        for (let x = 0; x < 1024; x++) {
          const i = (y * 1024 + x) * 4;
          const same = after.data[i] === before.data[i] && after.data[i + 1] === before.data[i + 1] && after.data[i + 2] === before.data[i + 2];
          if (same) continue;
          if (inside(footprint, x, y)) changedInside++;
          else changedOutside++;
        }
      }
      expect(changedOutside, JSON.stringify(overrides)).toBe(0);
      expect(changedInside).toBeGreaterThan(100_000);
    }
    // The footprint is the boxes plus the shadows' boxes: the pill's 2px 1px shadow reaches 2 px right of it.
    const pill = layers[2] as { left: number; top: number; width: number; height: number };
    const fp = layersFootprint([layers[2]], 1024, 400);
    expect(inside(fp, pill.left + pill.width + 1, pill.top + 20)).toBe(true);
    expect(inside(fp, pill.left + pill.width + 2, pill.top + 20)).toBe(false);
    expect(px(before, 0, 399)).toEqual(px(await decode(await renderTextLayers(plain, layers)), 0, 399));
  });

  it('overrides go to the Title and SubTitle layers; asking for a missing one is a user error', () => {
    const replaced = textLayers(applyOverrides(layers, { title: '新标题', subTitle: '新副标题' }));
    expect(replaced.map((l) => l.content)).toEqual(['新标题', '新副标题']);
    const titleOnly = layers.filter((l) => !(l.type === 'text' && (l as TextLayerModel).subType === 'SubTitle'));
    expect(() => applyOverrides(titleOnly, { subTitle: '副' })).toThrowError(expect.objectContaining({ code: 'LAYERS_NO_SUBTITLE_LAYER', userError: true }));
    expect(() => applyOverrides([], { title: '标题' })).toThrowError(expect.objectContaining({ code: 'LAYERS_NO_TEXT_LAYERS' }));
  });
});
