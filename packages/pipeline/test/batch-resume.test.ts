/**
 * Never lose or double-pay: the built CLI (`node packages/cli/dist/main.js batch …`) runs as a
 * child process against an emulator in this test process (so the emulator outlives the child), is
 * killed with SIGKILL at a chosen stage, and is run again. Every item must end done, with exactly one
 * task per item in the emulator's books and never two tasks running at once.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { DashScope, apiKeyFingerprint } from '@backdrop/api';
import { startEmulator, type Emulator, type EmulatorOptions } from '@backdrop/emulator';
import { itemSpecHash } from '../src/item.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { cliSkipReason, maxConcurrentRunning, runCli, startCli, tinyWeights, tmpDir, writeCatalogue, writeCutout } from './helpers/batch-fixtures.js';

const KEY = 'resume-test-key';
const skipReason = cliSkipReason('batch-resume tests');

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

interface Scenario {
  dir: string;
  out: string;
  args: string[];
  env: Record<string, string>;
}

async function scenario(name: string, items: number, options: EmulatorOptions, withCutouts = false): Promise<Scenario> {
  emulator = await startEmulator({ taskMs: [150, 250], seed: 11, ...options });
  const dir = tmpDir(`resume-${name}`);
  if (withCutouts) await writeCutout(path.join(dir, 'deco', 'leaf.png'), 40, 40, [30, 150, 60]);
  const { manifest } = await writeCatalogue(dir, items, (i) => (withCutouts ? { background: [{ cutout: 'deco/leaf.png' }], n: 1 + (i % 2) } : { n: 1 + (i % 2) }));
  const out = path.join(dir, 'out');
  const args = ['batch', manifest, '--out', out, '--base-url', emulator.baseUrl, '--api-key', KEY, '--weights', tinyWeights];
  return { dir, out, args, env: { BACKDROP_LOCK_DIR: path.join(dir, 'locks') } };
}

/** Polls `cond` every 2 ms; SIGKILLs the child as soon as it holds. */
async function killWhen(s: Scenario, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const run = startCli(s.args, s.env);
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void run.done.then(() => (exited = true));
  while (!cond()) {
    if (exited) throw new Error(`the child finished before the kill point: ${(await run.done).stderr}`);
    if (Date.now() > deadline) throw new Error('kill point not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
  run.child.kill('SIGKILL');
  const r = await run.done;
  expect(r.signal).toBe('SIGKILL');
}

/** A kill point `ms` after the emulator first reports a task SUCCEEDED (the child is then downloading). */
function afterFirstSuccess(ms: number): () => boolean {
  let firstSuccess = 0;
  return () => {
    if (!firstSuccess && emulator!.stats().timeline.some((t) => t.status === 'SUCCEEDED')) firstSuccess = Date.now();
    return firstSuccess > 0 && Date.now() - firstSuccess > ms;
  };
}

async function expectAllDoneOnce(s: Scenario, items: number): Promise<void> {
  const r = await runCli(s.args, s.env);
  // Items finished before the last kill are counted once, as done in an earlier run.
  expect(r.stderr).toMatch(new RegExp(`${items} succeeded( \\(\\d+ of them done in an earlier run\\))?, 0 failed`));
  expect(r.code).toBe(0);
  const stats = emulator!.stats();
  expect(stats.total.tasksCreated).toBe(items);
  expect(maxConcurrentRunning(stats.timeline)).toBeLessThanOrEqual(1);
  expect(stats.total.peakSubmitsPerSecond).toBeLessThanOrEqual(2);
  const lines = readFileSync(path.join(s.out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; status: string; files: string[]; taskId: string });
  expect(lines).toHaveLength(items);
  const taskIds = new Set(stats.timeline.map((t) => t.taskId));
  for (const [i, l] of lines.entries()) {
    expect(l).toMatchObject({ id: `sku-${i}`, status: 'succeeded' });
    expect(taskIds.has(l.taskId)).toBe(true);
    expect(l.files.filter((f) => f.includes('/result-'))).toHaveLength(1 + (i % 2));
    for (const f of l.files) {
      const meta = await sharp(path.join(s.out, f)).metadata();
      expect([meta.width, meta.height]).toEqual([64, 48]);
    }
  }
}

describe.skipIf(skipReason)('batch resume after kill -9', () => {
  it('during prepare (HED and uploads, nothing submitted yet)', async () => {
    const s = await scenario('prepare', 4, {}, true);
    await killWhen(s, () => emulator!.stats().total.requests >= 1);
    expect(emulator!.stats().total.tasksCreated).toBe(0);
    await expectAllDoneOnce(s, 4);
  });

  it('right after a submit reached the service', async () => {
    const s = await scenario('submit', 5, {});
    await killWhen(s, () => emulator!.stats().total.tasksCreated >= 2);
    await expectAllDoneOnce(s, 5);
  });

  it('while polling a running task', async () => {
    const s = await scenario('poll', 5, { taskMs: [600, 800] });
    await killWhen(s, () => emulator!.stats().timeline.some((t) => t.status === 'RUNNING') && emulator!.stats().total.queries >= 3);
    await expectAllDoneOnce(s, 5);
  });

  it('while downloading results', async () => {
    // Result downloads are slowed down, so a kill after the first success lands mid-download.
    const s = await scenario('download', 4, { faults: { routes: ['result'], slowReplyRate: 1, slowReplyMs: 800 } });
    await killWhen(s, afterFirstSuccess(500));
    await expectAllDoneOnce(s, 4);
  });

  it('several kills in a row still end with one task per item', async () => {
    const s = await scenario('repeated', 6, {});
    for (const n of [1, 3, 5]) await killWhen(s, () => emulator!.stats().total.tasksCreated >= n);
    await expectAllDoneOnce(s, 6);
  });
});

describe.skipIf(skipReason)('an interrupted submit, reconciled from the journal', () => {
  /** Writes a journal saying item `sku-0`'s submit started (and never finished) at `startedAt`. */
  async function journalUnsettledSubmit(s: Scenario, startedAt: number): Promise<void> {
    const source = await openBatchSource(path.join(s.dir, 'manifest.jsonl'));
    let spec = '';
    for await (const e of source.entries()) if (e.item?.id === 'sku-0') spec = itemSpecHash(e.item);
    mkdirSync(path.join(s.out, '.backdrop'), { recursive: true });
    // sku-0: a 64×48 base, n = 1 (what the task must look like to be its own).
    const entry = { e: 'submit-started', id: 'sku-0', attempt: 1, lane: apiKeyFingerprint(KEY), spec, want: { n: 1, width: 64, height: 48 }, t: startedAt };
    // A torn line after it, as a kill mid-write leaves.
    writeFileSync(path.join(s.out, '.backdrop', 'journal.jsonl'), JSON.stringify(entry) + '\n{"e":"submit-do');
  }

  /** Submits a task on the same key behind the run's back: with sku-0's base (a fitting task) or another image. */
  async function submitDirectly(base = path.join(tinyWeights, '..', '..', 'cutouts', 'lotion.png')): Promise<string> {
    const client = new DashScope({ apiKey: KEY, baseUrl: emulator!.baseUrl });
    const up = await client.files.upload(base);
    const res = await client.backgroundGeneration.submit({ baseImageUrl: up.url, refPrompt: 'whatever the killed run sent' });
    return res.taskId;
  }

  it('adopts the one task the submit created instead of submitting again', async () => {
    const s = await scenario('adopt', 3, {});
    const startedAt = Date.now();
    const taskId = await submitDirectly(path.join(s.dir, 'cutouts', 'p0.png'));
    await journalUnsettledSubmit(s, startedAt);
    const r = await runCli(s.args, s.env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('SubmitReconciled');
    expect(emulator!.stats().total.tasksCreated).toBe(3);
    const first = JSON.parse(readFileSync(path.join(s.out, 'results.jsonl'), 'utf8').split('\n')[0]) as { id: string; taskId: string };
    expect(first).toMatchObject({ id: 'sku-0', taskId });
  });

  it('submits again when no task was created, and reports a possible duplicate when it cannot tell', async () => {
    const s = await scenario('none', 2, {});
    await journalUnsettledSubmit(s, Date.now());
    const r = await runCli(s.args, s.env);
    expect(r.code).toBe(0);
    expect(emulator!.stats().total.tasksCreated).toBe(2);
    expect(r.stderr).not.toContain('PossibleDuplicate');

    const s2 = await scenario('ambiguous', 2, {});
    const startedAt = Date.now();
    await submitDirectly(path.join(s2.dir, 'cutouts', 'p0.png'));
    await submitDirectly(path.join(s2.dir, 'cutouts', 'p0.png'));
    await journalUnsettledSubmit(s2, startedAt);
    const r2 = await runCli(s2.args, s2.env);
    expect(r2.code).toBe(0);
    expect(r2.stderr).toContain('PossibleDuplicate');
    const first = JSON.parse(readFileSync(path.join(s2.out, 'results.jsonl'), 'utf8').split('\n')[0]) as { possibleDuplicate?: boolean };
    expect(first.possibleDuplicate).toBe(true);
  });
});

describe.skipIf(skipReason)('a task of another program in the submit window', () => {
  it('is not adopted when it does not fit the item (another base size): the item is submitted anew', async () => {
    const s = await scenario('misfit', 2, {});
    const startedAt = Date.now();
    const client = new DashScope({ apiKey: KEY, baseUrl: emulator!.baseUrl });
    const up = await client.files.upload(path.join(tinyWeights, '..', '..', 'cutouts', 'lotion.png')); // 500×500, sku-0 is 64×48
    const foreign = (await client.backgroundGeneration.submit({ baseImageUrl: up.url, refPrompt: 'another program' })).taskId;
    const source = await openBatchSource(path.join(s.dir, 'manifest.jsonl'));
    let spec = '';
    for await (const e of source.entries()) if (e.item?.id === 'sku-0') spec = itemSpecHash(e.item);
    mkdirSync(path.join(s.out, '.backdrop'), { recursive: true });
    const entry = { e: 'submit-started', id: 'sku-0', attempt: 1, lane: apiKeyFingerprint(KEY), spec, want: { n: 1, width: 64, height: 48 }, t: startedAt };
    writeFileSync(path.join(s.out, '.backdrop', 'journal.jsonl'), JSON.stringify(entry) + '\n');
    const r = await runCli(s.args, s.env);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('SubmitReconciled');
    const first = JSON.parse(readFileSync(path.join(s.out, 'results.jsonl'), 'utf8').split('\n')[0]) as { id: string; taskId: string };
    expect(first.id).toBe('sku-0');
    expect(first.taskId).not.toBe(foreign);
    expect(emulator!.stats().total.tasksCreated).toBe(3);
  });
});

describe.skipIf(skipReason)('results that expired before a resume', () => {
  it('reports ResultExpired for the item instead of failing obscurely', async () => {
    const s = await scenario('expired', 2, { faults: { routes: ['result'], slowReplyRate: 1, slowReplyMs: 1500 } });
    await killWhen(s, afterFirstSuccess(400));
    emulator!.advanceClock(25 * 3600_000);
    const r = await runCli(s.args, s.env);
    expect(r.code).toBe(1);
    const lines = readFileSync(path.join(s.out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; errorCode: string | null });
    const expired = lines.filter((l) => l.status === 'failed' && l.errorCode === 'ResultExpired').length;
    expect(expired).toBeGreaterThan(0);
    expect(r.stderr).toContain('run the batch again to generate this item anew');
    // As the message says, the next run generates the expired items anew (new tasks), nothing else.
    const created = emulator!.stats().total.tasksCreated;
    const again = await runCli(s.args, s.env);
    expect(again.code).toBe(0);
    expect(emulator!.stats().total.tasksCreated).toBe(created + expired);
  });
});
