/** Mask layers drawn by skia, checked pixel by pixel: colour, opacity, gradient, corner radius, box shadow. */
import { describe, expect, it } from 'vitest';
import { renderTextLayers } from '../src/index.js';
import { decode, diff, mask, plainPng, px } from './helpers/pixels.js';

const GREY: [number, number, number] = [100, 100, 100];

describe('mask layers', () => {
  it('colour and opacity: an opaque blue box is blue; at opacity 0.5 it is half blue, half the plain grey', async () => {
    const plain = await plainPng(240, 140, GREY);
    const solid = await decode(await renderTextLayers(plain, [mask()]));
    expect(px(solid, 100, 60).slice(0, 3)).toEqual([0, 0, 255]);
    expect(px(solid, 10, 10).slice(0, 3)).toEqual(GREY);
    const half = await decode(await renderTextLayers(plain, [mask({ opacity: 0.5 })]));
    expect(diff(px(half, 100, 60), [50, 50, 178])).toBeLessThanOrEqual(2);
  });

  it('a linear gradient in pixels changes colour along its axis (vertical: red at the top, green at the bottom) and not across it', async () => {
    const plain = await plainPng(240, 140, GREY);
    const layer = mask({
      gradient: {
        type: 'linear',
        gradientUnits: 'pixels',
        coords: { x1: 0, y1: 0, x2: 0, y2: 100 },
        colorStops: [
          { offset: 0, color: '#ff0000ff' },
          { offset: 1, color: '#00ff00ff' },
        ],
      },
    });
    const img = await decode(await renderTextLayers(plain, [layer]));
    const top = px(img, 100, 21);
    const bottom = px(img, 100, 118);
    const middle = px(img, 100, 70);
    expect(top[0]).toBeGreaterThan(240);
    expect(top[1]).toBeLessThan(15);
    expect(bottom[1]).toBeGreaterThan(240);
    expect(bottom[0]).toBeLessThan(15);
    expect(Math.abs(middle[0] - 127)).toBeLessThan(12);
    // Across the axis (same row, other x) the colour is the same.
    expect(diff(px(img, 30, 70), px(img, 210, 70))).toBeLessThanOrEqual(1);
    // A horizontal gradient with transparency: the fade towards x2 shows the plain image more and more.
    const fade = await decode(
      await renderTextLayers(plain, [
        mask({
          gradient: {
            type: 'linear',
            gradientUnits: 'pixels',
            coords: { x1: 0, y1: 0, x2: 200, y2: 0 },
            colorStops: [
              { offset: 0, color: '#ffffffff' },
              { offset: 1, color: '#ffffff00' },
            ],
          },
        }),
      ]),
    );
    const xs = [25, 70, 120, 170, 215].map((x) => px(fade, x, 70)[0]);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeLessThan(xs[i - 1]);
    expect(xs[4]).toBeLessThan(110);
  });

  it('corner radius leaves the corners of the box untouched and fills the rest', async () => {
    const plain = await plainPng(240, 140, GREY);
    const img = await decode(await renderTextLayers(plain, [mask({ radius: 30 })]));
    // Corner pixels of the box (outside the quarter circles) keep the plain grey.
    for (const [x, y] of [
      [21, 21],
      [218, 21],
      [21, 118],
      [218, 118],
    ])
      expect(px(img, x, y).slice(0, 3)).toEqual(GREY);
    // Along the edges away from the corners, and at the centre: blue.
    for (const [x, y] of [
      [120, 21],
      [21, 70],
      [120, 70],
    ])
      expect(px(img, x, y).slice(0, 3)).toEqual([0, 0, 255]);
    // Radius is limited to half the shorter side: a huge radius makes a pill, not a broken shape.
    const pill = await decode(await renderTextLayers(plain, [mask({ radius: 999 })]));
    expect(px(pill, 120, 70).slice(0, 3)).toEqual([0, 0, 255]);
    expect(px(pill, 25, 25).slice(0, 3)).toEqual(GREY);
  });

  it('box shadow: shadow pixels appear at the offset side outside the box, none on the other side', async () => {
    const plain = await plainPng(240, 140, [255, 255, 255]);
    const img = await decode(await renderTextLayers(plain, [mask({ boxShadow: '6px 4px #000000ff' })]));
    // Right of the box, within the 6-px offset: black shadow; below within 4 px: shadow.
    expect(px(img, 222, 70).slice(0, 3)).toEqual([0, 0, 0]);
    expect(px(img, 120, 122).slice(0, 3)).toEqual([0, 0, 0]);
    // Left of and above the box: untouched.
    expect(px(img, 18, 70).slice(0, 3)).toEqual([255, 255, 255]);
    expect(px(img, 120, 18).slice(0, 3)).toEqual([255, 255, 255]);
    // Half-transparent shadow colour (#80808080 as the service sends) gives a grey between.
    const soft = await decode(await renderTextLayers(plain, [mask({ boxShadow: '2px 2px #80808080' })]));
    const s = px(soft, 221, 70);
    expect(s[0]).toBeGreaterThan(150);
    expect(s[0]).toBeLessThan(235);
    // A blurred shadow spreads beyond its offset and fades.
    const blurred = await decode(await renderTextLayers(plain, [mask({ boxShadow: '0px 0px 8px #000000ff' })]));
    expect(px(blurred, 222, 70)[0]).toBeLessThan(200);
    expect(px(blurred, 235, 70)[0]).toBeGreaterThan(px(blurred, 222, 70)[0]);
  });
});
