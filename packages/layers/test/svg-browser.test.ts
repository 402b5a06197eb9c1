/**
 * The SVG opens in a real browser: Debian's chromium (headless, a child process) screenshots it, and the
 * screenshot is compared with the PNG output pixel by pixel. The embedded fallback-font subset makes the
 * titles real glyphs even on this machine, which has no CJK font installed (without it: boxes).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { layersFromWire, renderTextLayers } from '../src/index.js';
import { type Rgba, decode, diff, plainPng } from './helpers/pixels.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const recorded = JSON.parse(readFileSync(path.join(here, 'fixtures', 'recorded-text-results.json'), 'utf8')) as { params: { layers: unknown[] }[] };
const layers = layersFromWire(recorded.params[0].layers);

function findChromium(): string | undefined {
  for (const candidate of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Does fontconfig know a Chinese font? (Then the browser has glyphs even without the embedded subset.) */
function systemHasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

const chromium = findChromium();
if (!chromium) console.warn('skipping the browser SVG test: no chromium (apt-get install chromium, or set CHROMIUM_PATH)');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'layers-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function screenshot(svg: Buffer, name: string, width: number, height: number): Promise<Rgba> {
  const file = path.join(tmp, `${name}.svg`);
  const shot = path.join(tmp, `${name}.png`);
  writeFileSync(file, svg);
  await run(
    chromium!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      `--user-data-dir=${path.join(tmp, `profile-${name}`)}`,
      `--window-size=${width},${height}`,
      `--screenshot=${shot}`,
      `file://${file}`,
    ],
    { timeout: 90_000 },
  );
  return decode(readFileSync(shot));
}

/** Share of the title box's pixels where both images have (or both lack) title ink. */
function inkAgreement(a: Rgba, b: Rgba, base: Rgba, box: { left: number; top: number; width: number; height: number }): number {
  let agree = 0;
  let inked = 0;
  for (let y = box.top; y < box.top + box.height; y++) {
    for (let x = box.left; x < box.left + box.width; x++) {
      const i = (y * a.width + x) * 4;
      const p = [base.data[i], base.data[i + 1], base.data[i + 2]];
      const ia = diff([a.data[i], a.data[i + 1], a.data[i + 2]], p) > 60;
      const ib = diff([b.data[i], b.data[i + 1], b.data[i + 2]], p) > 60;
      if (ia || ib) inked++;
      if (ia && ib) agree++;
    }
  }
  return agree / Math.max(1, inked);
}

describe.skipIf(!chromium)('SVG in a browser (chromium)', () => {
  it('renders like the PNG: masks, gradient, pill, and the titles as real glyphs from the embedded font subset', async () => {
    const plainBytes = await plainPng(1024, 300, [122, 156, 192]);
    // Title ink is measured against the masks alone (the plate under the title differs from the plain image).
    const plates = await decode(
      await renderTextLayers(
        plainBytes,
        layers.filter((l) => l.type === 'text_mask'),
      ),
    );
    const png = await decode(await renderTextLayers(plainBytes, layers, { title: '春日新品' }));
    const svg = await renderTextLayers(plainBytes, layers, { title: '春日新品' }, { format: 'svg' });
    expect(svg.toString('utf8')).toMatch(/@font-face\{font-family:'Noto Sans Hans';font-weight:400;src:url\(data:font\/woff2;base64,/);
    const shot = await screenshot(svg, 'embedded', 1024, 300);
    let close = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (diff([png.data[i], png.data[i + 1], png.data[i + 2]], [shot.data[i], shot.data[i + 1], shot.data[i + 2]]) <= 8) close++;
    }
    const share = close / (1024 * 300);
    const title = { left: 319, top: 25, width: 385, height: 77 };
    const agreement = inkAgreement(png, shot, plates, title);
    console.log(`chromium vs PNG: ${(100 * share).toFixed(2)} % of pixels within 8 levels; title ink agreement ${(100 * agreement).toFixed(1)} %`);
    expect(share).toBeGreaterThan(0.97);
    expect(agreement).toBeGreaterThan(0.6);
    // Without the embedded font this machine has no CJK glyphs: the browser draws other shapes.
    const bare = await screenshot(await renderTextLayers(plainBytes, layers, { title: '春日新品' }, { format: 'svg', embedFonts: false }), 'bare', 1024, 300);
    const bareAgreement = inkAgreement(png, bare, plates, title);
    console.log(`without the embedded font: title ink agreement ${(100 * bareAgreement).toFixed(1)} %`);
    if (systemHasCjkFont()) console.log('a CJK system font is installed: the bare SVG may show real glyphs too; not compared');
    else expect(bareAgreement).toBeLessThan(agreement - 0.2);
  });
});
