#!/usr/bin/env node
/* global document -- the page.evaluate callbacks run in the browser */
/**
 * Regenerates docs/contact-sheet.png, the README's picture of the contact sheet: runs the demo's batch
 * (examples/manifest.jsonl on the in-process emulator, with the tiny demo HED weights) plus one item
 * that fails (a reference image the service cannot fetch), then photographs <out>/index.html in headless
 * Chromium (Debian's `chromium`, or CHROMIUM_PATH) driven by puppeteer-core.
 *
 *   pnpm screenshot:report [--out DIR] [--png FILE] [--width PX]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const work = mkdtempSync(path.join(os.tmpdir(), 'backdrop-screenshot-'));
const out = path.resolve(arg('out', path.join(work, 'demo')));
const png = path.resolve(arg('png', path.join(root, 'docs', 'contact-sheet.png')));
const width = Number(arg('width', '1280'));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`screenshot-report: no Chromium at ${chromium}; install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  process.exit(2);
}

// The demo's manifest with paths made absolute, and one item whose reference image does not exist at the service.
const examples = path.join(root, 'examples');
const abs = (p) => (/^(https?|oss):\/\//.test(p) ? p : path.resolve(examples, p));
const lines = readFileSync(path.join(examples, 'manifest.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
for (const item of lines) {
  item.base = abs(item.base);
  if (item.ref) item.ref = abs(item.ref);
  for (const side of ['foreground', 'background']) for (const el of item[side] ?? []) for (const k of ['cutout', 'edge']) if (el[k]) el[k] = abs(el[k]);
}
lines.push({ id: 'sku-cup-expired-ref', base: lines[0].base, prompt: 'a coffee cup on a marble counter', ref: 'oss://dashscope-instant/expired/ref-deleted-after-48h.jpg', n: 1 });
const manifest = path.join(work, 'manifest.jsonl');
writeFileSync(manifest, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');

const cli = path.join(root, 'packages', 'cli', 'dist', 'main.js');
const run = spawnSync(
  process.execPath,
  [cli, 'batch', manifest, '--out', out, '--emulator', '--weights', path.join(examples, 'weights', 'hed-demo-tiny.pth'), '--retries', '0', '--price-per-image', '0.08 CNY'],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, BACKDROP_LOCK_DIR: path.join(work, 'locks') } },
);
if (run.status !== 0 && run.status !== 1) {
  console.error(`screenshot-report: the batch exited ${run.status}`);
  process.exit(1);
}

/**
 * A fontconfig that adds the bundled CJK font of @backdrop/layers (Noto Sans Hans), so that Chinese prompts and
 * titles render on a machine without CJK fonts; undefined when it cannot be found (system fonts only).
 */
function cjkFontConfig() {
  try {
    let dir = path.dirname(createRequire(path.join(root, 'packages', 'layers', 'package.json')).resolve('@embedpdf/fonts-sc'));
    for (let i = 0; i < 4 && !existsSync(path.join(dir, 'fonts')); i++) dir = path.dirname(dir);
    if (!existsSync(path.join(dir, 'fonts'))) return undefined;
    const file = path.join(work, 'fonts.conf');
    writeFileSync(
      file,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>${path.join(dir, 'fonts')}</dir><cachedir>${path.join(work, 'fontcache')}</cachedir></fontconfig>\n`,
    );
    return file;
  } catch {
    return undefined;
  }
}

const fontConfig = cjkFontConfig();
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ['--no-sandbox', '--headless=new', '--hide-scrollbars', '--font-render-hinting=none'],
  ...(fontConfig ? { env: { ...process.env, FONTCONFIG_FILE: fontConfig } } : {}),
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(path.join(out, 'index.html')).href, { waitUntil: 'load' });
  // Load every lazy image before the picture is taken.
  await page.evaluate(async () => {
    for (const img of document.querySelectorAll('img')) img.loading = 'eager';
    await Promise.all(
      [...document.querySelectorAll('img')].map((img) =>
        img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true }) || img.addEventListener('error', r, { once: true })),
      ),
    );
  });
  await page.screenshot({ path: png, fullPage: true });
  console.log(png);
} finally {
  await browser.close();
}
