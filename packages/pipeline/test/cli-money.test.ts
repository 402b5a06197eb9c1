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

describe.skipIf(skipReason)('two runs on one output folder', () => {
  it('the second (another key, another lock folder) exits 2 at once; with --wait-for-lock it waits and pays for nothing twice', async () => {
    const e = await emu({ taskMs: [700, 900] });
    const dir = tmpDir('money-outlock');
    const { manifest } = await writeCatalogue(dir, 4);
    const out = path.join(dir, 'out');
    const args = (key: string): string[] => ['batch', manifest, '--out', out, '--base-url', e.baseUrl, '--api-key', key];
    const first = startCli(args('key-one'), { BACKDROP_LOCK_DIR: path.join(dir, 'locks-1') });
    // Wait until the first run works on the folder (its first task exists).
    const deadline = Date.now() + 60_000;
    while (e.stats().total.tasksCreated < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const second = await runCli(args('key-two'), { BACKDROP_LOCK_DIR: path.join(dir, 'locks-2') });
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toMatch(/\[OUT_LOCKED\] another backdrop run \(pid \d+\) is working on /);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    const waiting = startCli([...args('key-two'), '--wait-for-lock'], { BACKDROP_LOCK_DIR: path.join(dir, 'locks-2') });
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await waiting.done;
    expect(r2.code, r2.stderr).toBe(0);
    // Every item paid once: the waiting run found them all done.
    expect(e.stats().total.tasksCreated).toBe(4);
    expect(e.stats().total.submitRequests).toBe(4);
  });
});
