/**
 * The task slot never waits for HED while another item is ready: with one item whose cut-out is in a
 * slow HED (a real HED edge maker behind an artificial delay) first in the manifest and four items that
 * need no HED after it, the four are submitted — and finished — before that HED ends; and an item
 * needing HED further down the manifest has its HED started before its turn at the slot.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { runBatch } from '../src/engine/run-batch.js';
import type { BatchEvent } from '../src/engine/batch-events.js';
import { openHedEdgeMaker } from '../src/edges/hed-edge-maker.js';
import type { EdgeMaker } from '../src/stages/prepare.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { tinyWeights, tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

describe('HED runs ahead of the task slot', () => {
  it('items needing no HED are submitted while an earlier item is still in HED', async () => {
    const emulator = await startEmulator({ taskMs: [150, 250], seed: 11 });
    emulators.push(emulator);
    const hed = await openHedEdgeMaker({ weights: tinyWeights });
    const timeline: { what: string; t: number }[] = [];
    const mark = (what: string): void => void timeline.push({ what, t: Date.now() });
    const DELAY_MS = 8000; // far longer than four 150–250 ms tasks, even on a loaded machine
    const slow: EdgeMaker = {
      cacheKey: `slow:${hed.cacheKey}`,
      async edgeElement(input) {
        mark('hed-start');
        await new Promise((r) => setTimeout(r, DELAY_MS));
        const edge = await hed.edgeElement(input);
        mark('hed-end');
        return edge;
      },
    };
    try {
      const dir = tmpDir('hed-ahead');
      // sku-0: a cut-out element (HED); sku-1…4: base only.
      const { manifest } = await writeCatalogue(dir, 5, (i) => (i === 0 ? { foreground: [{ cutout: 'cutouts/p1.png' }] } : {}));
      const events: BatchEvent[] = [];
      for await (const e of runBatch(await openBatchSource(manifest), {
        out: path.join(dir, 'out'),
        apiKeys: ['hed-ahead'],
        baseUrl: emulator.baseUrl,
        lock: false,
        edges: slow,
      })) {
        events.push(e);
        if (e.type === 'submitted') mark(`submitted:${e.id}`);
        if (e.type === 'item-done') mark(`done:${e.result.id}`);
      }
      const summary = events.find((e) => e.type === 'summary');
      expect(summary?.type === 'summary' && summary.summary).toMatchObject({ total: 5, succeeded: 5 });
      const at = (what: string): number => timeline.find((x) => x.what === what)?.t ?? Number.NaN;
      const hedEnd = at('hed-end');
      for (const id of ['sku-1', 'sku-2', 'sku-3', 'sku-4']) {
        expect(at(`submitted:${id}`), `${id} submitted before the HED item's HED ended`).toBeLessThan(hedEnd);
      }
      expect(at('submitted:sku-0')).toBeGreaterThan(hedEnd);
    } finally {
      await hed.close();
    }
  }, 120_000);

  it('an item needing HED further down starts its HED before the items ahead of it are done', async () => {
    const emulator = await startEmulator({ taskMs: [300, 400], seed: 12 });
    emulators.push(emulator);
    const hed = await openHedEdgeMaker({ weights: tinyWeights });
    let hedStarted = Number.NaN;
    const counting: EdgeMaker = {
      cacheKey: `counting:${hed.cacheKey}`,
      edgeElement(input) {
        hedStarted = Date.now();
        return hed.edgeElement(input);
      },
    };
    try {
      const dir = tmpDir('hed-ahead-far');
      // Ten items; the last one needs HED. With a look-ahead of 2 it would wait for 8 items to be submitted.
      const { manifest } = await writeCatalogue(dir, 10, (i) => (i === 9 ? { background: [{ cutout: 'cutouts/p2.png' }] } : {}));
      const submittedAt = new Map<string, number>();
      for await (const e of runBatch(await openBatchSource(manifest), {
        out: path.join(dir, 'out'),
        apiKeys: ['hed-ahead-far'],
        baseUrl: emulator.baseUrl,
        lock: false,
        edges: counting,
        lookahead: 2,
        prepareAhead: 10,
      })) {
        if (e.type === 'submitted') submittedAt.set(e.id, Date.now());
      }
      expect(hedStarted).toBeLessThan(submittedAt.get('sku-2') ?? Number.NaN);
    } finally {
      await hed.close();
    }
  }, 120_000);
});
