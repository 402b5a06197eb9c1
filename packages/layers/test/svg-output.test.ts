/**
 * The editable SVG: parsed with an XML parser (structure, text, font families, embedded plain image) and
 * rendered back to pixels with skia's SVG renderer, compared with the PNG output.
 */
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { XMLParser } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { layersFromWire, renderTextLayers } from '../src/index.js';
import { decode, diff, inkBox, noisyPng, plainPng, px, text } from './helpers/pixels.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const recorded = JSON.parse(readFileSync(path.join(here, 'fixtures', 'recorded-text-results.json'), 'utf8')) as { params: { layers: unknown[] }[] };
const layers = layersFromWire(recorded.params[0].layers);

/* eslint-disable @typescript-eslint/no-explicit-any */
function parse(svg: Buffer): any {
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['rect', 'g', 'tspan', 'stop', 'linearGradient', 'filter'].includes(name) }).parse(
    svg.toString('utf8'),
  );
}

async function rasterise(svg: Buffer): Promise<Buffer> {
  const image = await loadImage(svg);
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return canvas.encode('png');
}

describe('SVG output', () => {
  it('parses as XML and holds the plain image, the masks as shapes and the titles as <text> naming their fonts', async () => {
    const plain = await noisyPng(1024, 300);
    const svg = await renderTextLayers(plain, layers, { title: '春日新品', subTitle: '限时 & 特惠' }, { format: 'svg' });
    const doc = parse(svg).svg;
    expect(doc['@width']).toBe('1024');
    expect(doc['@height']).toBe('300');
    const href: string = doc.image['@xlink:href'];
    expect(href.startsWith('data:image/png;base64,')).toBe(true);
    expect(Buffer.from(href.slice('data:image/png;base64,'.length), 'base64').equals(plain)).toBe(true);
    // Masks: the full-width gradient plate and the rounded pill with its shadow filter.
    const rects = doc.rect as any[];
    expect(rects.map((r) => r['@data-layer'])).toEqual(['text_mask', 'text_mask']);
    expect(rects[0]).toMatchObject({ '@width': '1024', '@height': '257', '@opacity': '0.8', '@fill': 'url(#gradient-0)' });
    expect(rects[1]).toMatchObject({ '@rx': '25', '@filter': 'url(#shadow-2)' });
    const gradient = (doc.defs.linearGradient as any[]).find((g) => g['@id'] === 'gradient-0');
    expect(gradient).toMatchObject({ '@x1': '0', '@y1': '257', '@x2': '0', '@y2': '0' });
    expect(gradient.stop.map((s: any) => s['@stop-opacity'])).toEqual(['0', '1']);
    expect((doc.defs.filter as any[]).find((f) => f['@id'] === 'shadow-2').feOffset).toMatchObject({ '@dx': '2', '@dy': '1' });
    // Texts: content, family first then the fallback, colour, stroke, shadow.
    const groups = doc.g as any[];
    expect(groups.map((g) => g['@data-sub-type'])).toEqual(['Title', 'SubTitle']);
    const [title, sub] = groups.map((g) => g.text);
    expect(title.tspan[0]['#text']).toBe('春日新品');
    expect(sub.tspan[0]['#text']).toBe('限时 & 特惠');
    expect(title['@font-family']).toMatch(/^'站酷文艺体', 'Noto Sans Hans', .*sans-serif$/);
    expect(sub['@font-family']).toMatch(/^'阿里巴巴普惠体', 'Noto Sans Hans'/);
    expect(title).toMatchObject({ '@fill': '#e6baa7', '@font-size': '67' });
    // The outline: a stroked <use> copy of the same <text>, beneath it.
    expect(groups[0].use).toMatchObject({ '@href': `#${title['@id']}`, '@stroke': '#ffffff', '@stroke-opacity': '0.9412', '@stroke-width': '2' });
    expect(sub['@font-weight']).toBe('500');
    expect(groups[0]['@filter']).toBe('url(#shadow-1)');
  });

  it('carries italic, decorations, opacity and vertical text', async () => {
    const plain = await plainPng(300, 300, [255, 255, 255]);
    const svg = await renderTextLayers(
      plain,
      [
        text({ fontItalic: true, fontUnderLine: true, fontLineThrough: true, opacity: 0.5, idx: 1 }),
        text({ subType: 'SubTitle', direction: 'vertical', content: '竖排', left: 200, top: 100, width: 60, height: 150, idx: 2, fontUnderLine: true }),
      ],
      undefined,
      { format: 'svg' },
    );
    const groups = parse(svg).svg.g as any[];
    expect(groups[0]).toMatchObject({ '@opacity': '0.5' });
    expect(groups[0].text).toMatchObject({ '@font-style': 'italic', '@text-decoration': 'underline line-through' });
    // Vertical: one tspan per character, stacked (same x, growing y); the underline is a bar beside the column.
    const spans = groups[1].text.tspan as any[];
    expect(spans.map((s) => s['#text'])).toEqual(['竖', '排']);
    expect(spans[0]['@x']).toBe(spans[1]['@x']);
    expect(Number(spans[1]['@y'])).toBeGreaterThan(Number(spans[0]['@y']));
    expect(groups[1].rect).toHaveLength(1);
  });

  it('rendered back to pixels (skia SVG), it matches the PNG output: the masks exactly where no text is, the title drawn in its box', async () => {
    const plain = await noisyPng(1024, 300);
    const png = await decode(await renderTextLayers(plain, layers, { title: '春日新品' }));
    const fromSvg = await decode(await rasterise(await renderTextLayers(plain, layers, { title: '春日新品' }, { format: 'svg' })));
    // Mask gradient and plain image away from the texts.
    for (const [x, y] of [
      [50, 10],
      [900, 120],
      [200, 250],
      [600, 290],
    ])
      expect(diff(px(png, x, y), px(fromSvg, x, y))).toBeLessThanOrEqual(3);
    // Inside the pill (left end, no text): the pill colour.
    expect(diff(px(fromSvg, 402, 143), [0xe6, 0xba, 0xa7])).toBeLessThanOrEqual(3);
    // The title's fill colour appears in the title box in both.
    const titleBox = { left: 319, top: 25, width: 385, height: 77 };
    const titleInk = (img: typeof png) => inkBox(img, (p) => diff(p, [0xe6, 0xba, 0xa7]) <= 12, titleBox);
    expect(titleInk(fromSvg).count).toBeGreaterThan(300);
    expect(Math.abs(titleInk(fromSvg).meanX - titleInk(png).meanX)).toBeLessThan(6);
    // Overall: nearly all pixels agree.
    let close = 0;
    for (let i = 0; i < png.data.length; i += 4)
      if (diff([png.data[i], png.data[i + 1], png.data[i + 2]], [fromSvg.data[i], fromSvg.data[i + 1], fromSvg.data[i + 2]]) <= 3) close++;
    expect(close / (png.width * png.height)).toBeGreaterThan(0.97);
  });
});
