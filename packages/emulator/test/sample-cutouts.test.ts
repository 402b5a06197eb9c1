/**
 * The bundled sample cut-outs (examples/cutouts, examples/deco) have exact alpha: the transparent
 * surroundings flood-filled from the border reach every fully transparent pixel (no holes), the product is
 * one connected shape (no leftover background specks), partial alpha lies only on its outline (within 1 px
 * of the outside), and the product leaves room for a background (a transparent margin on every side).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples');
const files = ['cutouts', 'deco'].flatMap((dir) =>
  readdirSync(path.join(examples, dir))
    .filter((f) => f.endsWith('.png'))
    .map((f) => `${dir}/${f}`),
);

interface AlphaFacts {
  /** Fully transparent pixels not reachable from the border through transparent pixels. */
  holes: number;
  /** 8-connected shapes of non-transparent pixels. */
  shapes: number;
  /** Partially transparent pixels farther than 1 px from the outside. */
  innerPartial: number;
  opaque: number;
  box: { left: number; top: number; right: number; bottom: number };
}

function alphaFacts(alpha: Buffer, width: number, height: number): AlphaFacts {
  const n = width * height;
  const outside = new Uint8Array(n);
  const stack: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = i % width;
    const y = (i - x) / width;
    if ((x === 0 || y === 0 || x === width - 1 || y === height - 1) && alpha[i] === 0) {
      outside[i] = 1;
      stack.push(i);
    }
  }
  const neighbours = function* (p: number, diagonal: boolean): Generator<number> {
    const x = p % width;
    const y = (p - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || (!diagonal && dx !== 0 && dy !== 0)) continue;
        const nx = x + dx;
        const ny = y + dy;
        if (nx >= 0 && ny >= 0 && nx < width && ny < height) yield ny * width + nx;
      }
    }
  };
  while (stack.length > 0) {
    const p = stack.pop()!;
    for (const q of neighbours(p, true)) {
      if (!outside[q] && alpha[q] === 0) {
        outside[q] = 1;
        stack.push(q);
      }
    }
  }
  let holes = 0;
  let innerPartial = 0;
  let opaque = 0;
  const box = { left: width, top: height, right: -1, bottom: -1 };
  for (let i = 0; i < n; i++) {
    if (alpha[i] === 0 && !outside[i]) holes++;
    if (alpha[i] === 255) opaque++;
    if (alpha[i] > 0) {
      const x = i % width;
      const y = (i - x) / width;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
      if (alpha[i] < 255 && ![...neighbours(i, true)].some((q) => outside[q])) innerPartial++;
    }
  }
  const seen = new Uint8Array(n);
  let shapes = 0;
  for (let i = 0; i < n; i++) {
    if (seen[i] || alpha[i] === 0) continue;
    shapes++;
    seen[i] = 1;
    stack.push(i);
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const q of neighbours(p, true)) {
        if (!seen[q] && alpha[q] > 0) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return { holes, shapes, innerPartial, opaque, box };
}

describe('sample cut-outs', () => {
  it('are all there', () => {
    expect(files).toEqual(
      expect.arrayContaining(['cutouts/cup.png', 'cutouts/sneaker.png', 'cutouts/lotion.png', 'cutouts/plant.png', 'deco/peach.png', 'deco/leaves.png', 'deco/cat.png']),
    );
  });

  it.each(files)('%s: RGBA with exact alpha, one shape, no holes, room around it', async (file) => {
    const image = sharp(path.join(examples, file));
    const meta = await image.metadata();
    expect(meta.format).toBe('png');
    expect(meta.channels).toBe(4);
    const { data, info } = await image.extractChannel(3).raw().toBuffer({ resolveWithObject: true });
    const facts = alphaFacts(data, info.width, info.height);
    expect(facts.holes, 'transparent pixels enclosed by the product').toBe(0);
    expect(facts.shapes, 'separate shapes (leftover background, specks)').toBe(1);
    expect(facts.innerPartial, 'partly transparent pixels inside the outline').toBe(0);
    const boxArea = (facts.box.right - facts.box.left + 1) * (facts.box.bottom - facts.box.top + 1);
    expect(facts.opaque / boxArea, 'a solid product, not a wisp').toBeGreaterThan(0.25);
    if (file.startsWith('cutouts/')) {
      // Room for a background: a transparent margin of ≥ 10 % on every side; the product fills 50–80 %.
      expect(facts.box.left).toBeGreaterThanOrEqual(info.width * 0.1);
      expect(facts.box.top).toBeGreaterThanOrEqual(info.height * 0.1);
      expect(info.width - 1 - facts.box.right).toBeGreaterThanOrEqual(info.width * 0.1);
      expect(info.height - 1 - facts.box.bottom).toBeGreaterThanOrEqual(info.height * 0.1);
      const longest = Math.max((facts.box.right - facts.box.left + 1) / info.width, (facts.box.bottom - facts.box.top + 1) / info.height);
      expect(longest).toBeGreaterThan(0.5);
      expect(longest).toBeLessThan(0.8);
    }
  });

  it('the flood fill finds a hole and a speck when there is one (the check can fail)', () => {
    const w = 20;
    const alpha = Buffer.alloc(w * w);
    for (let y = 5; y < 15; y++) for (let x = 5; x < 15; x++) alpha[y * w + x] = 255;
    alpha[10 * w + 10] = 0; // a hole
    alpha[1 * w + 1] = 255; // a speck
    alpha[7 * w + 7] = 128; // partial alpha inside
    const facts = alphaFacts(alpha, w, w);
    expect(facts).toMatchObject({ holes: 1, shapes: 2, innerPartial: 1 });
  });
});
