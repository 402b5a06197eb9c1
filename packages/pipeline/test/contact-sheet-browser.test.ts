/// <reference lib="dom" />
/**
 * The contact sheet in a real browser: a real batch (the built CLI) against an in-process emulator
 * where some items fail (a reference image the service cannot fetch; tasks the emulator fails), then
 * `<out>/index.html` opened from file:// in Debian's Chromium (puppeteer-core): no console errors, every
 * image decodes, failed items show their code and message, the filter and the paging work, and
 * `backdrop report` rebuilds the page. Skipped (with the reason) when Chromium or the built CLI is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildContactSheet } from '../src/report/contact-sheet.js';
import { cliSkipReason, runCli, tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const noChromium = existsSync(chromium) ? undefined : `no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`;
if (noChromium) console.log(`contact sheet browser test skipped: ${noChromium}`);
const skipReason = noChromium ?? cliSkipReason('contact sheet browser test');

interface ResultLine {
  id: string;
  status: string;
  files: string[];
  errorCode: string | null;
  errorMessage: string | null;
  usage?: { image_count: number | null };
}

/** Every `<img>` of the page scrolled into view and loaded; returns those that did not decode. */
async function undecodedImages(page: Page): Promise<{ count: number; bad: string[] }> {
  return page.evaluate(async () => {
    const imgs = Array.from(document.querySelectorAll('img'));
    for (const img of imgs) {
      img.scrollIntoView();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    }
    await Promise.all(
      imgs.map((img) =>
        img.complete
          ? Promise.resolve(null)
          : new Promise((r) => {
              img.addEventListener('load', r, { once: true });
              img.addEventListener('error', r, { once: true });
            }),
      ),
    );
    await Promise.all(imgs.map((img) => img.decode().catch(() => null)));
    return { count: imgs.length, bad: imgs.filter((i) => !(i.naturalWidth > 0)).map((i) => i.getAttribute('src') ?? '') };
  });
}

const cards = (page: Page) =>
  page.$$eval('article.item', (els) =>
    els.map((e) => ({ id: e.getAttribute('data-id') ?? '', status: e.getAttribute('data-status') ?? '', reason: e.querySelector('.reason')?.textContent ?? '' })),
  );

describe.skipIf(skipReason)('the contact sheet in Chromium', () => {
  let emulator: Emulator;
  let browser: Browser;
  let out: string;
  let lines: ResultLine[];
  const errors: string[] = [];
  let batch: { code: number | null; stderr: string };

  beforeAll(async () => {
    const dir = tmpDir('sheet');
    out = path.join(dir, 'out');
    // 12 items; sku-4 asks for a reference image the service does not have (submit refused, 400);
    // the emulator fails a share of the tasks (content moderation), not retried.
    const { manifest } = await writeCatalogue(dir, 12, (i) => ({
      n: 1 + (i % 2),
      ...(i === 4 ? { ref: 'oss://dashscope-instant/gone/missing-ref.jpg' } : {}),
      ...(i === 2 ? { title: '晨间咖啡', subtitle: '<b>新品</b>' } : {}),
    }));
    emulator = await startEmulator({
      taskMs: [40, 120],
      seed: 11,
      faults: { taskFailureRate: 0.3, taskFailureCode: 'DataInspectionFailed', taskFailureMessage: 'Input data may contain inappropriate content.' },
    });
    batch = await runCli(['batch', manifest, '--out', out, '--base-url', emulator.baseUrl, '--api-key', 'sheet-test-key', '--retries', '0', '--price-per-image', '0.08 CNY'], {
      BACKDROP_LOCK_DIR: path.join(dir, 'locks'),
    });
    if (!existsSync(path.join(out, 'results.jsonl'))) throw new Error(`the batch wrote no results.jsonl (exit ${batch.code}): ${batch.stderr}`);
    lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ResultLine);
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--headless=new'] });
  });

  afterAll(async () => {
    await browser?.close();
    await emulator?.close();
  });

  async function open(): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
    page.on('requestfailed', (r) => errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href, { waitUntil: 'load' });
    return page;
  }

  it('the batch writes results with usage and summarises images billed and cost', () => {
    expect(batch.code).toBe(1); // some items failed
    const failed = lines.filter((l) => l.status === 'failed');
    const succeeded = lines.filter((l) => l.status === 'succeeded');
    expect(failed.map((l) => l.id)).toContain('sku-4');
    expect(succeeded.length).toBeGreaterThan(3);
    for (const l of succeeded) expect(l.usage?.image_count).toBe(l.files.filter((f) => /\/result-/.test(f)).length);
    const billed = succeeded.reduce((s, l) => s + (l.usage?.image_count ?? 0), 0);
    expect(batch.stderr).toContain(`images billed: ${billed} (cost ${(billed * 0.08).toFixed(2)} CNY at 0.08 CNY per image)`);
    expect(
      batch.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('backdrop: ['))
        .at(-1),
    ).toBe(`batch: contact sheet: ${path.join(out, 'index.html')}`);
  });

  it('loads from file:// with no console errors, shows the totals, and every image decodes', async () => {
    const page = await open();
    const tiles = await page.$$eval('.tile', (ts) => Object.fromEntries(ts.map((t) => [t.querySelector('.k')?.textContent ?? '', t.querySelector('.v')?.textContent ?? ''])));
    const billed = lines.reduce((s, l) => s + (l.usage?.image_count ?? 0), 0);
    expect(tiles['Items']).toBe(String(lines.length));
    expect(tiles['Failed']).toBe(String(lines.filter((l) => l.status === 'failed').length));
    expect(tiles['Images billed']).toBe(String(billed));
    expect(tiles['Cost (0.08 CNY / image)']).toBe(`${(billed * 0.08).toFixed(2)} CNY`);
    expect(await page.$eval('table.lanes', (t) => t.textContent)).toMatch(/key_[0-9a-f]{8}/);
    const shown = await cards(page);
    expect(shown.map((c) => c.id)).toEqual(lines.map((l) => l.id));
    const imgs = await undecodedImages(page);
    // Per item: the cut-out; per succeeded item its results.
    const results = lines.reduce((s, l) => s + l.files.filter((f) => /\/result-/.test(f)).length, 0);
    expect(imgs.count).toBeGreaterThanOrEqual(lines.length + results);
    expect(imgs.bad).toEqual([]);
    // Result thumbnails open the full image in the item's folder (relative link).
    const hrefs = await page.$$eval('a.res', (as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toContain(lines.find((l) => l.status === 'succeeded')!.files.find((f) => /\/result-/.test(f)));
    // Markup in a title stays text.
    expect(await page.$eval('article[data-id="sku-2"] .title', (e) => e.textContent)).toBe('“晨间咖啡 · <b>新品</b>”');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the failed filter shows exactly the failed items, each with its code and message', async () => {
    const page = await open();
    await page.click('button[data-filter="failed"]');
    const shown = await cards(page);
    const failed = lines.filter((l) => l.status === 'failed');
    expect(shown.map((c) => c.id)).toEqual(failed.map((l) => l.id));
    for (const c of shown) {
      const l = failed.find((x) => x.id === c.id)!;
      expect(c.status).toBe('failed');
      expect(c.reason).toContain(l.errorCode!);
      expect(c.reason).toContain(l.errorMessage!.slice(0, 60));
    }
    expect(shown.find((c) => c.id === 'sku-4')!.reason).toMatch(/InvalidParameter.*Failed to download/s);
    expect(await page.evaluate(() => location.hash)).toBe('#failed');
    await page.click('button[data-filter="all"]');
    expect((await cards(page)).length).toBe(lines.length);
    await page.type('#q', 'sku-1');
    await page.waitForFunction(() => document.querySelectorAll('article.item').length < 12);
    expect((await cards(page)).map((c) => c.id).sort()).toEqual(['sku-1', 'sku-10', 'sku-11']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('pages through the items (rebuilt with 5 a page), every page decoding its images', async () => {
    await buildContactSheet(out, { pageSize: 5, price: { amount: 0.08, currency: 'CNY' } });
    const page = await open();
    const seen: string[] = [];
    for (let p = 0; p < 3; p++) {
      const shown = await cards(page);
      expect(shown.length).toBe(p < 2 ? 5 : lines.length - 10);
      expect(await page.$eval('#pageinfo', (e) => e.textContent)).toBe(`${p * 5 + 1}–${p * 5 + shown.length} of ${lines.length} · page ${p + 1} / 3`);
      seen.push(...shown.map((c) => c.id));
      expect((await undecodedImages(page)).bad).toEqual([]);
      if (p < 2) await page.click('nav.bar:not(.bottom) [data-page="next"]');
    }
    expect(seen).toEqual(lines.map((l) => l.id));
    expect(await page.$eval('nav.bar:not(.bottom) [data-page="next"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    // The page is in the fragment: a reload keeps it.
    expect(await page.evaluate(() => location.hash)).toBe('#all/3');
    await page.reload({ waitUntil: 'load' });
    expect((await cards(page)).map((c) => c.id)).toEqual(lines.slice(10).map((l) => l.id));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('`backdrop report <out>` rebuilds the page from the folder', async () => {
    const before = readFileSync(path.join(out, 'index.html'), 'utf8');
    const r = await runCli(['report', out], { BACKDROP_PRICE_PER_IMAGE: '¥0.5' });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(out, 'index.html'));
    const html = readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html).not.toBe(before);
    for (const l of lines) expect(html).toContain(`"i":"${l.id}"`);
    const billed = lines.reduce((s, l) => s + (l.usage?.image_count ?? 0), 0);
    expect(html).toContain(`¥${(billed * 0.5).toFixed(2)}`);
    const bad = await runCli(['report', path.join(out, 'sku-0')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^backdrop: \[REPORT_NOT_A_RUN\]/);
  });
});
