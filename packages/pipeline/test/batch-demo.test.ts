/**
 * The README's main job: `backdrop batch examples/manifest.jsonl --emulator --weights <tiny demo
 * checkpoint>` — a newcomer's first run. Checks that it says plainly the weights are a stand-in, and that
 * the results folder holds real images: base-sized, the title drawn (result differs from the plain image
 * where the title goes), one line per item in results.jsonl.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { cliSkipReason, repoRoot, runCli, tinyWeights, tmpDir } from './helpers/batch-fixtures.js';

const manifest = path.join(repoRoot, 'examples', 'manifest.jsonl');
const manifestMissing = existsSync(manifest) ? undefined : `${manifest} is missing`;
if (manifestMissing) console.log(`batch demo test skipped: ${manifestMissing}`);
const skipReason = manifestMissing ?? cliSkipReason('batch demo test');

describe.skipIf(skipReason)('the main job: a batch over the bundled examples', () => {
  it('runs offline against the in-process emulator and writes a results folder worth opening', async () => {
    const out = path.join(tmpDir('demo'), 'out');
    const r = await runCli(['batch', manifest, '--out', out, '--emulator', '--weights', tinyWeights], { BACKDROP_LOCK_DIR: path.join(out, '..', 'locks') });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('NOT the real ControlNetHED weights');
    expect(r.stderr).toContain('in-process emulator');
    const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; status: string; files: string[] });
    const ids = readFileSync(manifest, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(lines.map((l) => l.id)).toEqual(ids);
    for (const l of lines) expect(l.status).toBe('succeeded');

    // sku-cup: 600×400 cup, n=2, titled → result-0/1 with the title, plain-0/1 without.
    const cup = readdirSync(path.join(out, 'sku-cup')).sort();
    expect(cup.filter((f) => f.startsWith('result-'))).toHaveLength(2);
    expect(cup.filter((f) => f.startsWith('plain-'))).toHaveLength(2);
    const result = cup.find((f) => f.startsWith('result-0'))!;
    const plain = cup.find((f) => f.startsWith('plain-0'))!;
    const a = await sharp(path.join(out, 'sku-cup', result))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const b = await sharp(path.join(out, 'sku-cup', plain))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([a.info.width, a.info.height]).toEqual([600, 400]);
    expect([b.info.width, b.info.height]).toEqual([600, 400]);
    // The title is drawn in the top part: there the titled result differs clearly from the plain image.
    let differing = 0;
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 600; x++) {
        const i = (y * 600 + x) * 3;
        if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]) > 90) differing++;
      }
    }
    expect(differing).toBeGreaterThan(500);
    const task = JSON.parse(readFileSync(path.join(out, 'sku-cup', 'task.json'), 'utf8')) as {
      request: { input: { title: string; reference_edge: { foreground_edge: string[] } } };
    };
    // The request as sent: wire form (snake_case), uploaded inputs as oss:// URLs — like `generate`.
    expect(task.request.input.title).toBe('晨间好茶');
    expect(task.request.input.reference_edge.foreground_edge[0]).toMatch(/^oss:\/\//);
  });
});
