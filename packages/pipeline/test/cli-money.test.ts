/**
 * Money, end to end with the built CLI against a real emulator over HTTP: nothing is sent before every
 * check has passed, two runs on one output folder never both work on it, a lost submit reply is
 * reconciled instead of paid twice, partial results are kept and reported.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '@backdrop/emulator';
import { cliSkipReason, runCli, startCli, tinyWeights, tmpDir, writeCatalogue, writeCutout } from './helpers/batch-fixtures.js';

const skipReason = cliSkipReason('cli-money');
let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function emu(options: EmulatorOptions = {}): Promise<Emulator> {
  emulator = await startEmulator({ taskMs: [300, 500], seed: 5, ...options });
  return emulator;
}

describe.skipIf(skipReason)('batch: unusable HED weights', () => {
  it('exits 2 before anything is sent, also for the items that need no HED', async () => {
    const e = await emu();
    const dir = tmpDir('money-weights');
    await writeCutout(path.join(dir, 'deco', 'leaf.png'), 40, 40, [30, 150, 60]);
    // Item 0 and 1 need no HED; item 2 has a cut-out element.
    const { manifest } = await writeCatalogue(dir, 3, (i) => (i === 2 ? { background: [{ cutout: 'deco/leaf.png' }] } : {}));
    const weights = path.join(dir, 'garbage.pth');
    writeFileSync(weights, Buffer.from('PK\u0003\u0004 this is not a checkpoint at all, just some bytes'.repeat(20)));
    const r = await runCli(['batch', manifest, '--out', path.join(dir, 'out'), '--base-url', e.baseUrl, '--api-key', 'k1', '--weights', weights], { BACKDROP_LOCK_DIR: path.join(dir, 'locks') });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/HED_CHECKPOINT|HED_WEIGHTS/);
    expect(e.stats().total.submitRequests).toBe(0);
    expect(e.stats().total.requests).toBe(0);
  });
});
