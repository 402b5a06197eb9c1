/**
 * `backdrop edge --weights <crafted checkpoint>` for every class of hostile checkpoint (huge declared shapes,
 * zero strides, thousands of aliasing tensors, zip bombs, deep/memo/DUP pickle bombs, huge integers and names,
 * huge safetensors headers): the built CLI in a child process must end with exit 2 and one
 * `backdrop: [HED_CHECKPOINT_*]` line, within a generous time bound (60 s, not a speed test) and with a peak
 * RSS under 1 GB; a watchdog kills it above 1.5 GB. Needs `pnpm build` first.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostileCheckpoints } from '../packages/edge/test/checkpoint/hostile-checkpoints.js';
import { ONE_GB_KB, runCliBounded } from './fixtures/cli/bounded-run.js';
import { cliUnavailableReason, repoRoot } from './fixtures/cli/cli-harness.js';

const skip = cliUnavailableReason();
if (skip) console.log(`skipping hostile checkpoint CLI tests: ${skip}`);

const input = path.join(repoRoot, 'test', 'fixtures', 'hed', 'inputs', 'logo.png');
const cases = hostileCheckpoints().map(({ name, what }) => ({ name, what }));
let tmp: string;

beforeAll(async () => {
  if (skip) return;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'backdrop-hostile-'));
  for (const c of hostileCheckpoints()) await writeFile(path.join(tmp, c.name), c.make());
}, 300_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(skip)('backdrop edge refuses hostile checkpoints in bounded time and memory', () => {
  it.each(cases)('$name: $what', async ({ name }) => {
    const r = await runCliBounded(['edge', input, '--out', path.join(tmp, 'out'), '--weights', path.join(tmp, name)], {
      env: { BACKDROP_TF_BACKEND: 'cpu' },
    });
    console.log(`${name}: exit ${r.code ?? r.signal} in ${(r.ms / 1000).toFixed(1)} s, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB: ${r.stderr.slice(0, 300).trim()}`);
    expect(r.killedForMemory, `peak RSS ${r.maxRssKb} KB`).toBe(false);
    expect(r.killedForTime, 'still running after 60 s').toBe(false);
    expect(r.stderr.length, 'one short error line').toBeLessThan(2000);
    expect(r.stderr.trim()).toMatch(/^backdrop: \[HED_CHECKPOINT_[A-Z]+\] /m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
    expect(r.maxRssKb).toBeLessThan(ONE_GB_KB);
  });
});
