/**
 * The contact sheet without a browser: the price parser, and a library run (runBatch against an
 * in-process emulator over real HTTP) whose sheet is written while items finish, lists what the run
 * did, and is rebuilt to the same items from the folder alone.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startEmulator } from '@backdrop/emulator';
import { runBatch } from '../src/engine/run-batch.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { ContactSheet, buildContactSheet } from '../src/report/contact-sheet.js';
import { formatMoney, imagePriceFrom, parseImagePrice } from '../src/report/image-price.js';
import { tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

/** The JSON island of a sheet. */
function island(file: string): {
  ps: number;
  s: string[];
  items: { i: string; s: string; R?: [string, string][]; c?: [string, string]; b?: number; E?: number; m?: string; z?: number; d?: number[] }[];
} {
  const html = readFileSync(file, 'utf8');
  const m = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data island');
  return JSON.parse(m[1]) as ReturnType<typeof island>;
}

describe('image price', () => {
  it('reads a number with the currency as given, before or after', () => {
    expect(parseImagePrice('0.08 CNY', '--price-per-image')).toEqual({ amount: 0.08, currency: 'CNY' });
    expect(parseImagePrice('¥0.5', '--price-per-image')).toEqual({ amount: 0.5, currency: '¥' });
    expect(parseImagePrice('2', '--price-per-image')).toEqual({ amount: 2, currency: '' });
    expect(formatMoney(1.28, 'CNY')).toBe('1.28 CNY');
    expect(formatMoney(1.5, '¥')).toBe('¥1.50');
    expect(imagePriceFrom(undefined, { BACKDROP_PRICE_PER_IMAGE: '0.2 USD' })).toEqual({ amount: 0.2, currency: 'USD' });
    expect(imagePriceFrom('0.1 EUR', { BACKDROP_PRICE_PER_IMAGE: '0.2 USD' })).toEqual({ amount: 0.1, currency: 'EUR' });
    expect(imagePriceFrom(undefined, {})).toBeUndefined();
  });

  it('refuses anything else as a user error naming where it came from', () => {
    for (const bad of ['cheap', '0.08 CNY extra', '-1', '$1 USD']) {
      expect(() => parseImagePrice(bad, 'BACKDROP_PRICE_PER_IMAGE')).toThrow(
        expect.objectContaining({ code: 'INVALID_PRICE', userError: true, message: expect.stringContaining('BACKDROP_PRICE_PER_IMAGE') }),
      );
    }
  });
});

describe('the contact sheet of a library run', () => {
  it('is written while items finish, holds thumbnails and usage, and is rebuilt from the folder', async () => {
    const dir = tmpDir('sheet-lib');
    const out = path.join(dir, 'out');
    const { manifest } = await writeCatalogue(dir, 6, (i) => ({ n: 1 + (i % 3), ...(i === 1 ? { ref: 'oss://dashscope-instant/gone/x.jpg' } : {}) }));
    const emulator = await startEmulator({ taskMs: 400, seed: 3 });
    try {
      const sheet = new ContactSheet(out, { debounceMs: 100, price: { amount: 0.08, currency: 'CNY' } });
      let seenBeforeEnd = false;
      for await (const e of runBatch(sheet.observe(await openBatchSource(manifest)), {
        out,
        apiKeys: ['k'],
        baseUrl: emulator.baseUrl,
        retries: 0,
        lock: { dir: path.join(dir, 'locks') },
      })) {
        sheet.onEvent(e);
        // Six tasks of 400 ms one after another: the debounced sheet is on disk long before the end.
        if (e.type === 'summary') seenBeforeEnd = existsSync(path.join(out, 'index.html'));
      }
      expect(seenBeforeEnd).toBe(true);
      const written = await sheet.close();
      // n = 1 + (i % 3): sku-0..5 ask for 1, 2 (fails), 3, 1, 2, 3 images.
      expect(written.totals).toMatchObject({ items: 6, succeeded: 5, failed: 1, images: 10, billed: 10 });
      expect(written.totals.cost?.amount).toBeCloseTo(10 * 0.08, 10);
      expect(sheet.billed).toBe(10);
      const live = island(written.file);
      expect(live.items.map((x) => x.i)).toEqual(['sku-0', 'sku-1', 'sku-2', 'sku-3', 'sku-4', 'sku-5']);
      const failed = live.items[1];
      expect(failed.s).toBe('f');
      expect(live.s[failed.E!]).toBe('InvalidParameter');
      expect(failed.m).toContain('Failed to download');
      // Thumbnails: real WebP files no larger than 240 px, undistorted (the aspect of the 64×48 cut-out kept).
      const cut = path.join(out, '.backdrop', 'thumbs', `${live.items[0].c![0]}.webp`);
      const meta = await sharp(cut).metadata();
      expect([meta.format, meta.width, meta.height, meta.hasAlpha]).toEqual(['webp', 64, 48, true]);
      for (const x of live.items.filter((y) => y.s === 'o')) {
        for (const [file, thumb] of x.R!) {
          expect(existsSync(path.join(out, x.i, file))).toBe(true);
          const t = await sharp(path.join(out, '.backdrop', 'thumbs', `${thumb}.webp`)).metadata();
          const full = await sharp(path.join(out, x.i, file)).metadata();
          expect(Math.max(t.width, t.height)).toBeLessThanOrEqual(240);
          expect(Math.abs(t.width / t.height - full.width / full.height)).toBeLessThan(0.05);
        }
      }
      // results.jsonl carries each item's usage.
      const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; usage?: { image_count: number } });
      expect(lines.map((l) => l.usage?.image_count ?? 0)).toEqual([1, 0, 3, 1, 2, 3]);
      // Rebuilt from the folder alone: same items, same thumbnails (none made again).
      const thumbsBefore = readdirSync(path.join(out, '.backdrop', 'thumbs')).map((f) => [f, statSync(path.join(out, '.backdrop', 'thumbs', f)).mtimeMs]);
      const rebuilt = await buildContactSheet(out);
      const again = island(rebuilt.file);
      // Times come from the journal instead of the events: equal to within a second or so.
      const timeless = (xs: typeof live.items) => xs.map((x) => ({ ...x, z: undefined, d: undefined }));
      expect(timeless(again.items)).toEqual(timeless(live.items));
      again.items.forEach((x, k) => expect(Math.abs((x.z ?? 0) - (live.items[k].z ?? 0))).toBeLessThanOrEqual(2));
      expect(rebuilt.totals.billed).toBe(10);
      expect(rebuilt.totals.cost).toBeUndefined();
      expect(readdirSync(path.join(out, '.backdrop', 'thumbs')).map((f) => [f, statSync(path.join(out, '.backdrop', 'thumbs', f)).mtimeMs])).toEqual(thumbsBefore);
      // No temporary files left behind.
      expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});
