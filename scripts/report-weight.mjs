#!/usr/bin/env node
/**
 * Page weight of the contact sheet for a large run: builds a synthetic 10,000-item output folder
 * (results.jsonl, a task.json per item, the journal, the sheet's recorded inputs; ~3 % failed items,
 * 1–4 results each; result images made from the bundled examples, hard-linked so that only a few
 * distinct images exist), rebuilds `<out>/index.html` with `buildContactSheet` (as `backdrop report`
 * does), and prints the bytes of index.html (raw and gzip), per item, and the thumbnail sizes.
 *
 *   pnpm bench:report [--items N] [--keep]
 */
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages', 'pipeline', 'dist');
if (!existsSync(path.join(dist, 'index.js'))) {
  console.error('report-weight: build first (pnpm build)');
  process.exit(2);
}
const { buildContactSheet } = await import(path.join(dist, 'index.js'));
const { Thumbnailer } = await import(path.join(dist, 'report', 'thumbnails.js'));

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const N = Number(arg('items', '10000'));
const work = mkdtempSync(path.join(os.tmpdir(), 'backdrop-report-weight-'));
const out = path.join(work, 'out');
const stock = path.join(work, 'stock');
mkdirSync(path.join(out, '.backdrop', 'report'), { recursive: true });
mkdirSync(stock, { recursive: true });
const sha = (b) => createHash('sha256').update(b).digest('hex');

// Distinct images: every bundled cut-out on every bundled reference, 1024 px JPEG like a service result.
const ex = path.join(root, 'examples');
const cutouts = readdirSync(path.join(ex, 'cutouts'))
  .filter((f) => f.endsWith('.png'))
  .map((f) => path.join(ex, 'cutouts', f));
const refs = readdirSync(path.join(ex, 'refs'))
  .filter((f) => /\.jpe?g$/.test(f))
  .map((f) => path.join(ex, 'refs', f));
const decos = readdirSync(path.join(ex, 'deco'))
  .filter((f) => f.endsWith('.png'))
  .map((f) => path.join(ex, 'deco', f));
const results = [];
for (const c of cutouts) {
  for (const r of refs) {
    const fg = await sharp(c).resize(820, 820, { fit: 'inside' }).png().toBuffer();
    const jpg = await sharp(r)
      .resize(1024, 1024, { fit: 'cover' })
      .composite([{ input: fg, gravity: 'south' }])
      .jpeg({ quality: 90 })
      .toBuffer();
    const file = path.join(stock, `result-${results.length}.jpg`);
    writeFileSync(file, jpg);
    results.push({ file, sha256: sha(jpg), size: jpg.length });
  }
}
const thumbs = new Thumbnailer(out);
const inputThumb = async (f) => ({ thumb: await thumbs.thumb(f), preview: await thumbs.preview(f) });
const cutoutThumbs = await Promise.all(cutouts.map(inputThumb));
const decoThumbs = await Promise.all(decos.map(inputThumb));

const prompts = Array.from(
  { length: 60 },
  (_, i) =>
    `product ${i % 12} on a ${['marble counter', 'wooden table', 'sunny beach', 'studio backdrop', 'kitchen shelf'][i % 5]}, ${['soft morning light', 'warm evening light', 'bright daylight'][i % 3]}`,
);
const titles = ['晨间咖啡', '新品上市', '限时特惠', '夏日清凉', undefined, undefined];
const t0 = Date.now() - N * 1000;
const lines = [];
const journal = [];
const inputs = [];
for (let i = 0; i < N; i++) {
  const id = `sku-${String(i).padStart(5, '0')}`;
  const taskId = `${sha(id).slice(0, 8)}-${sha(id).slice(8, 12)}-4${sha(id).slice(13, 16)}-8${sha(id).slice(17, 20)}-${sha(id).slice(20, 32)}`;
  const failed = i % 33 === 7;
  const n = 1 + (i % 4);
  const submitted = t0 + i * 1000;
  const prompt = prompts[i % prompts.length];
  const title = titles[i % titles.length];
  inputs.push({
    id,
    prompt,
    ...(title ? { title } : {}),
    params: { n, scene_type: 'GENERAL', model_version: i % 2 ? 'v3' : 'v2' },
    cutout: cutoutThumbs[i % cutoutThumbs.length],
    edges: i % 3 ? [{ side: 'foreground', prompt: '粉色桃花', image: decoThumbs[i % decoThumbs.length] }] : [],
  });
  journal.push({ e: 'submit-started', id, attempt: 1, lane: `key_${i % 2 ? 'a1b2c3d4' : '5e6f7a8b'}`, spec: 'x', t: submitted });
  journal.push({ e: 'task-final', id, taskId, status: failed ? 'FAILED' : 'SUCCEEDED', results: [], plain: [], t: submitted + 2500 });
  if (failed) {
    journal.push({
      e: 'item-done',
      id,
      status: 'failed',
      taskId,
      code: 'DataInspectionFailed',
      message: `task ${taskId} ended FAILED: Input data may contain inappropriate content.`,
      t: submitted + 2600,
    });
    lines.push({
      id,
      status: 'failed',
      taskId,
      files: [],
      errorCode: 'DataInspectionFailed',
      errorMessage: `task ${taskId} ended FAILED: Input data may contain inappropriate content.`,
      attempts: 1,
    });
    continue;
  }
  const dir = path.join(out, id);
  mkdirSync(dir);
  const files = [];
  for (let k = 0; k < n; k++) {
    const r = results[(i + k) % results.length];
    linkSync(r.file, path.join(dir, `result-${k}.jpg`));
    files.push({ name: `result-${k}.jpg`, size: r.size, sha256: r.sha256 });
  }
  const iso = (ms) => new Date(ms).toISOString();
  const cst = (ms) => new Date(ms + 8 * 3600_000).toISOString().replace('T', ' ').replace('Z', '');
  writeFileSync(
    path.join(dir, 'task.json'),
    JSON.stringify(
      {
        id,
        taskId,
        request: { model: 'wanx-background-generation-v2', input: { ref_prompt: prompt }, parameters: { n } },
        response: {
          output: { task_status: 'SUCCEEDED', submit_time: cst(submitted), scheduled_time: cst(submitted + 300), end_time: cst(submitted + 2400) },
          usage: { image_count: n },
        },
        usage: { imageCount: n },
        attempts: 1,
        timings: { preparedAt: iso(submitted - 400), submittedAt: iso(submitted), endedAt: iso(submitted + 2500), downloadedAt: iso(submitted + 2900) },
        files,
      },
      null,
      2,
    ),
  );
  journal.push({ e: 'download-done', id, taskId, files, t: submitted + 2900 });
  journal.push({ e: 'item-done', id, status: 'succeeded', taskId, t: submitted + 2950 });
  lines.push({ id, status: 'succeeded', taskId, files: files.map((f) => `${id}/${f.name}`), errorCode: null, errorMessage: null, attempts: 1, usage: { image_count: n } });
}
const jsonl = (xs) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
writeFileSync(path.join(out, 'results.jsonl'), jsonl(lines));
writeFileSync(path.join(out, '.backdrop', 'journal.jsonl'), jsonl(journal));
writeFileSync(path.join(out, '.backdrop', 'report', 'inputs.jsonl'), jsonl(inputs));
writeFileSync(path.join(out, '.backdrop', 'report', 'runs.jsonl'), jsonl([{ startedAt: t0 - 1000, wallMs: (N * 1000) / 2 + 5000, lanes: ['key_5e6f7a8b', 'key_a1b2c3d4'] }]));

const started = Date.now();
const written = await buildContactSheet(out, { price: { amount: 0.08, currency: 'CNY' } });
const buildMs = Date.now() - started;
const html = readFileSync(written.file);
const gz = gzipSync(html).length;
const thumbFiles = readdirSync(thumbs.dir).map((f) => statSync(path.join(thumbs.dir, f)).size);
const list = (name, xs) => `${name}: ${xs.map((t) => `${(statSync(path.join(thumbs.dir, `${t}.webp`)).size / 1024).toFixed(1)} KB`).join(', ')}`;
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const perPage = 40;
const firstPage = lines.slice(0, perPage);
let pageImages = 0;
for (const [i, l] of firstPage.entries()) {
  pageImages += statSync(path.join(thumbs.dir, `${inputs[i].cutout.thumb}.webp`)).size;
  for (const e of inputs[i].edges) pageImages += statSync(path.join(thumbs.dir, `${e.image.thumb}.webp`)).size;
  void l;
}
const resultThumbSizes = [];
for (const r of results) resultThumbSizes.push(statSync(path.join(thumbs.dir, `${await thumbs.thumb(r.file, r.sha256)}.webp`)).size);
for (const [i, l] of firstPage.entries()) if (l.status === 'succeeded') for (let k = 0; k < 1 + (i % 4); k++) pageImages += resultThumbSizes[(i + k) % results.length];
console.log(
  `contact sheet of a synthetic run: ${N} items (${lines.filter((l) => l.status === 'failed').length} failed), ${written.totals.images} result images, built in ${(buildMs / 1000).toFixed(1)} s`,
);
console.log(`index.html: ${html.length} bytes (${kb(html.length)}), gzip ${gz} bytes (${kb(gz)}); ${(html.length / N).toFixed(0)} bytes per item`);
console.log(
  `thumbnails (WebP, long side 240 px): result ${resultThumbSizes.map(kb).join(', ')} (mean ${kb(resultThumbSizes.reduce((a, b) => a + b, 0) / resultThumbSizes.length)})`,
);
console.log(
  list(
    '  cut-out thumbnails',
    cutoutThumbs.map((t) => t.thumb),
  ),
);
console.log(
  list(
    '  edge/decoration thumbnails',
    decoThumbs.map((t) => t.thumb),
  ),
);
console.log(`  ${thumbFiles.length} thumbnail/preview files in .backdrop/thumbs (distinct content only)`);
console.log(`first page (${perPage} items): ${kb(html.length)} html + ${kb(pageImages)} of thumbnails (lazy: only those scrolled near are fetched)`);
if (process.argv.includes('--keep')) console.log(`kept: ${out}`);
else rmSync(work, { recursive: true, force: true });
