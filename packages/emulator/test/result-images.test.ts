/**
 * Result images, decoded and checked pixel by pixel: PNG like the service's, size = base, the subject's
 * opaque pixels are exactly the base's, variants differ in composition (horizon, floor), the set has a
 * contact shadow under the subject's base, backgrounds follow the reference or the prompt, edge elements
 * land under/over the subject, titles are drawn with CJK glyphs in the band the subject covers least.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js';
import { MODEL, download, submit, waitForStatus } from './helpers/dashscope-http.js';
import { type InputServer, startInputServer } from './helpers/input-server.js';
import { type Pixels, boxPixels, deepOpaquePixels, rgbDifference, transparentPixels } from './helpers/pixel-checks.js';
import { makeEdgeElement, makeReference, makeSubject, rgbPixels, rgbaPixels } from './helpers/test-images.js';

const W = 160;
const H = 120;

let inputs: InputServer;
let subjectPng: Buffer;
let subject: Pixels;
let deep: number[];

beforeAll(async () => {
  inputs = await startInputServer();
  subjectPng = await makeSubject(W, H);
  subject = await rgbaPixels(subjectPng);
  deep = deepOpaquePixels(subject, 4);
  inputs.put('/subject.png', subjectPng);
  inputs.put('/ref.jpg', await makeReference(400, 200));
  inputs.put('/ring-inside.png', await makeEdgeElement(W / 2, H / 2, 0.3)); // resized ×2 by the emulator
  inputs.put('/line-outside.png', await makeEdgeElement(W, H, 0, 10));
});
afterAll(async () => inputs?.close());

interface TaskImages {
  reply: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  results: Pixels[];
  resultBytes: Buffer[];
  plain: Pixels[];
}

/** Runs one task on a fresh emulator (so seeds line up between runs) and decodes its images. */
async function runTask(input: Record<string, unknown>, n = 1, options: EmulatorOptions = {}): Promise<TaskImages> {
  const emulator: Emulator = await startEmulator({ taskMs: 10, pendingMs: 0, seed: 5, ...options });
  try {
    const resolved = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('/') ? inputs.url(v) : v]));
    const edge = resolved.reference_edge as Record<string, string[]> | undefined;
    if (edge) for (const side of ['foreground_edge', 'background_edge']) if (edge[side]) edge[side] = edge[side].map((p) => inputs.url(p));
    const submitted = await submit(emulator, { model: MODEL, input: { base_image_url: inputs.url('/subject.png'), ...resolved }, parameters: { n } });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    const reply = await waitForStatus(emulator, submitted.body.output.task_id);
    expect(reply.body.output.task_status).toBe('SUCCEEDED');
    const resultBytes: Buffer[] = [];
    for (const r of reply.body.output.results) {
      const file = await download(r.url);
      expect(file.status).toBe(200);
      expect(file.contentType).toBe('image/png');
      resultBytes.push(file.bytes);
    }
    const plain: Pixels[] = [];
    for (const r of reply.body.output.text_results?.urls ?? []) {
      const file = await download(r.url);
      expect(file.contentType).toBe('image/png');
      plain.push(await rgbPixels(file.bytes));
    }
    return { reply, results: await Promise.all(resultBytes.map(rgbPixels)), resultBytes, plain };
  } finally {
    await emulator.close();
  }
}

describe('result images', () => {
  it('n PNGs of the base size; opaque subject pixels equal the base exactly; variants differ', async () => {
    const { results, resultBytes } = await runTask({ ref_prompt: '木桌上，窗边阳光' }, 3);
    expect(results).toHaveLength(3);
    for (const bytes of resultBytes) {
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([W, H]);
    }
    expect(deep.length).toBeGreaterThan(3000);
    const opaque = deepOpaquePixels(subject, 0);
    for (const result of results) expect(rgbDifference(result, subject, opaque).max).toBe(0);
    const background = transparentPixels(subject);
    for (let i = 0; i < results.length; i++) {
      for (let j = i + 1; j < results.length; j++) {
        expect(rgbDifference(results[i], results[j], background).mean, `variants ${i} and ${j}`).toBeGreaterThan(8);
      }
    }
  });

  it('prompt backgrounds are deterministic: same prompt and seed → same bytes; another prompt → other colours', async () => {
    const a = await runTask({ ref_prompt: 'sunset over the sea' });
    const b = await runTask({ ref_prompt: 'sunset over the sea' });
    const c = await runTask({ ref_prompt: 'a snowy forest' });
    expect(a.resultBytes[0].equals(b.resultBytes[0])).toBe(true);
    expect(rgbDifference(a.results[0], c.results[0], transparentPixels(subject)).mean).toBeGreaterThan(10);
  });

  it('a reference image shapes the background (its blue top-left and orange bottom-right survive the blur)', async () => {
    const { results } = await runTask({ ref_image_url: '/ref.jpg', ref_prompt: undefined }, 1);
    const at = (x: number, y: number) => [...results[0].data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
    const [r1, , b1] = at(4, 4);
    const [r2, , b2] = at(W - 5, 20);
    expect(b1).toBeGreaterThan(r1); // blue corner
    expect(r2).toBeGreaterThan(b2); // orange side
  });

  it('background edge elements are hidden under the subject and visible beside it; foreground ones cover it', async () => {
    const plainRun = await runTask({ ref_prompt: 'studio' });
    const backRun = await runTask({ ref_prompt: 'studio', reference_edge: { background_edge: ['/ring-inside.png', '/line-outside.png'] } });
    const frontRun = await runTask({ ref_prompt: 'studio', reference_edge: { foreground_edge: ['/ring-inside.png'], foreground_edge_prompt: ['粉色桃花'] } });
    // The ring (radius 0.3 × 120 = 36 px around the centre) lies inside the opaque subject.
    const ring: number[] = [];
    for (const p of deep) {
      const x = p % W;
      const y = Math.floor(p / W);
      if (Math.abs(Math.hypot(x - W / 2, y - H / 2) - 36) < 2) ring.push(p);
    }
    expect(ring.length).toBeGreaterThan(100);
    expect(rgbDifference(backRun.results[0], subject, ring).mean).toBeLessThan(2); // under the subject
    expect(rgbDifference(frontRun.results[0], subject, ring).mean).toBeGreaterThan(20); // over the subject
    // The line at x = 10 lies on the transparent background: drawn there.
    const line = boxPixels(subject, { left: 9, top: 0, width: 3, height: H });
    expect(rgbDifference(backRun.results[0], plainRun.results[0], line).mean).toBeGreaterThan(20);
    const far = boxPixels(subject, { left: 30, top: 0, width: 10, height: 10 }); // away from both elements
    expect(rgbDifference(backRun.results[0], plainRun.results[0], far).mean).toBeLessThan(1);
  });
});

/** Mean RGB of a box of a raw RGB image. */
function meanOf(image: Pixels, box: { left: number; top: number; width: number; height: number }): number {
  let sum = 0;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) {
      const i = (y * image.width + x) * 3;
      sum += image.data[i] + image.data[i + 1] + image.data[i + 2];
    }
  }
  return sum / (3 * box.width * box.height);
}

/** The row with the sharpest vertical change in a thin strip at the right edge (above the corner mark). */
function horizonOf(image: Pixels): number {
  const strip = (y: number) => meanOf(image, { left: image.width - 5, top: y, width: 4, height: 1 });
  let best = { y: 0, jump: -1 };
  for (let y = 4; y < image.height * 0.8; y++) {
    const jump = Math.abs(strip(y + 2) - strip(y - 2));
    if (jump > best.jump) best = { y, jump };
  }
  return best.y;
}

describe('decorations', () => {
  it('an element with a shaped alpha is drawn as that shape, filled in the colour its prompt names', async () => {
    // A disc of alpha (edge strength 0 inside, a white rim) at the left, clear of the subject.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><circle cx="16" cy="60" r="12" fill="#000" stroke="#fff" stroke-width="2"/></svg>`;
    inputs.put('/disc.png', await sharp(Buffer.from(svg)).ensureAlpha().png().toBuffer());
    const plainRun = await runTask({ ref_prompt: 'studio' });
    const run = await runTask({ ref_prompt: 'studio', reference_edge: { foreground_edge: ['/disc.png'], foreground_edge_prompt: ['绿叶'] } });
    const inside = boxPixels(subject, { left: 12, top: 56, width: 8, height: 8 });
    for (const p of inside) {
      const [r, g, b] = run.results[0].data.subarray(p * 3, p * 3 + 3);
      expect(g, 'green fill').toBeGreaterThan(r + 20);
      expect(g, 'green fill').toBeGreaterThan(b + 20);
    }
    const away = boxPixels(subject, { left: 2, top: 2, width: 20, height: 20 });
    expect(rgbDifference(run.results[0], plainRun.results[0], away).max).toBe(0);
  });
});

describe('the set', () => {
  it('variants differ in composition: the horizon sits at different heights behind the subject', async () => {
    const { results } = await runTask({ ref_prompt: 'a quiet studio, soft light' }, 3);
    const horizons = results.map(horizonOf);
    const spread = Math.max(...horizons) - Math.min(...horizons);
    expect(spread, `horizons at ${horizons.join(', ')}`).toBeGreaterThanOrEqual(12);
  });

  it("a soft contact shadow lies under the subject's base, darker than the floor beside it", async () => {
    const { results } = await runTask({ ref_prompt: 'a quiet studio, soft light' }, 2);
    // The test subject's outline ends at row 0.9 × H. Just below it the floor is darker in the middle than
    // on either side (light comes from one side, so both sides are measured).
    const row = Math.round(H * 0.9) + 1;
    for (const result of results) {
      const under = meanOf(result, { left: W / 2 - 10, top: row, width: 20, height: 3 });
      const left = meanOf(result, { left: 14, top: row, width: 8, height: 3 });
      const right = meanOf(result, { left: W - 22, top: row, width: 8, height: 3 });
      expect(under, 'shadow under the base').toBeLessThan(Math.min(left, right));
      expect(under, 'shadow under the base').toBeLessThan((left + right) / 2 - 12);
    }
  });

  it('says it comes from the emulator: a small mark in the bottom-right corner', async () => {
    const { results } = await runTask({ ref_prompt: 'a quiet studio, soft light' }, 1);
    const image = results[0];
    // Letter edges: neighbouring pixels that differ strongly. The floor's bottom-left corner has none.
    const edges = (box: { left: number; top: number; width: number; height: number }) =>
      boxPixels(image, { ...box, width: box.width - 1 }).filter((p) => {
        const d = image.data;
        return Math.abs(d[p * 3] + d[p * 3 + 1] + d[p * 3 + 2] - d[p * 3 + 3] - d[p * 3 + 4] - d[p * 3 + 5]) > 60;
      }).length;
    expect(edges({ left: W - 50, top: H - 16, width: 48, height: 14 })).toBeGreaterThan(30);
    expect(edges({ left: 2, top: H - 16, width: 48, height: 14 })).toBe(0);
  });
});

describe('titles', () => {
  const W2 = 320;
  const H2 = 240;
  let big: string;
  beforeAll(async () => {
    big = inputs.put('/subject-big.png', await makeSubject(W2, H2));
  });

  it('text_results: plain PNGs keep the subject exactly; results have the text drawn in the title box', async () => {
    const run = await runTask({ base_image_url: big, ref_prompt: 'spring', title: '分享好时光', sub_title: '只为不一样的你' }, 2);
    const bigSubject = await rgbaPixels(await makeSubject(W2, H2));
    const params = run.reply.body.output.text_results.params;
    expect(run.plain).toHaveLength(2);
    const mask = params[0].layers[0];
    const title = params[0].layers[1];
    const pill = params[0].layers[2];
    expect(mask).toMatchObject({ type: 'text_mask', top: 0, left: 0, width: W2 });
    expect(title.top + title.height).toBeLessThanOrEqual(pill.top);
    expect(pill.top + pill.height).toBeLessThanOrEqual(mask.height);
    // Plain PNGs are lossless: opaque subject pixels are exactly the base's.
    const opaque = deepOpaquePixels(bigSubject, 0);
    for (const plain of run.plain) expect(rgbDifference(plain, bigSubject, opaque).max).toBe(0);
    for (let i = 0; i < 2; i++) {
      // In the title box the titled result differs strongly from the plain image (text, mask)…
      const inTitle = rgbDifference(run.results[i], run.plain[i], boxPixels(run.plain[i], title));
      expect(inTitle.mean).toBeGreaterThan(15);
      // …and below the mask it is the plain image up to JPEG error.
      const outside = boxPixels(
        run.plain[i],
        mask.top === 0 ? { top: mask.height + 8, left: 0, width: W2, height: H2 - mask.height - 8 } : { top: 0, left: 0, width: W2, height: mask.top - 8 },
      );
      expect(rgbDifference(run.results[i], run.plain[i], outside).max).toBe(0);
      // Title-coloured pixels exist in the title box.
      const colour = params[i].layers[1].font_color as string;
      const [r, g, b] = [1, 3, 5].map((k) => parseInt(colour.slice(k, k + 2), 16));
      const inked = boxPixels(run.results[i], title).filter((p) => {
        const d = run.results[i].data;
        return Math.abs(d[p * 3] - r) + Math.abs(d[p * 3 + 1] - g) + Math.abs(d[p * 3 + 2] - b) < 60;
      });
      expect(inked.length, `sample ${i} title pixels`).toBeGreaterThan(40);
    }
  });

  it('the title goes where the subject is not: a subject in the upper half puts it in the lower half', async () => {
    const top = await sharp(await makeSubject(W2, H2 / 2))
      .extend({ bottom: H2 / 2, background: { r: 0, g: 0, b: 0, alpha: 0 } })
      .png()
      .toBuffer();
    const url = inputs.put('/subject-top.png', top);
    const run = await runTask({ base_image_url: url, ref_prompt: 'spring', title: '分享好时光', sub_title: '只为不一样的你' });
    const [mask, title] = run.reply.body.output.text_results.params[0].layers;
    expect(mask.top).toBeGreaterThanOrEqual(H2 / 2);
    expect(title.top).toBeGreaterThanOrEqual(H2 / 2);
    expect(title.top + title.height).toBeLessThanOrEqual(H2);
  });

  it('CJK glyphs render (not tofu): two different titles draw differently in the same box', async () => {
    const a = await runTask({ base_image_url: big, ref_prompt: 'spring', title: '分享好时光' });
    const b = await runTask({ base_image_url: big, ref_prompt: 'spring', title: '山川湖海风' });
    const boxA = a.reply.body.output.text_results.params[0].layers[1];
    const boxB = b.reply.body.output.text_results.params[0].layers[1];
    expect(boxA).toMatchObject({ top: boxB.top, left: boxB.left, width: boxB.width, height: boxB.height });
    expect(a.plain[0].data.equals(b.plain[0].data)).toBe(true); // same background: only the text differs
    const region = boxPixels(a.results[0], boxA);
    expect(rgbDifference(a.results[0], b.results[0], region).mean).toBeGreaterThan(6);
  });
});
