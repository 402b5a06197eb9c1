/**
 * Money, end to end with the built CLI against a real emulator over HTTP: nothing is sent before every
 * check has passed, two runs on one output folder never both work on it, a lost submit reply is
 * reconciled instead of paid twice, partial results are kept and reported.
 */
import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
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
    const r = await runCli(['batch', manifest, '--out', path.join(dir, 'out'), '--base-url', e.baseUrl, '--api-key', 'k1', '--weights', weights], {
      BACKDROP_LOCK_DIR: path.join(dir, 'locks'),
    });
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

describe.skipIf(skipReason)('generate: a submit whose reply was lost after the task was created', () => {
  const dropAfterCreate: EmulatorOptions = { faults: { routes: ['submit'], dropConnectionRate: 1, dropAfterCreate: true } };

  it('finds the task in the task list, adopts it and finishes it (results downloaded, exit 0, one task)', async () => {
    const e = await emu(dropAfterCreate);
    const dir = tmpDir('money-gen-lost');
    const base = path.join(dir, 'cup.png');
    await writeCutout(base, 64, 48, [200, 80, 40]);
    const out = path.join(dir, 'out');
    const r = await runCli(['generate', '--base', base, '--prompt', 'on a table', '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1']);
    expect(r.code, r.stderr).toBe(0);
    expect(e.stats().total.faults.dropConnection).toBe(1);
    expect(e.stats().total.submitRequests).toBe(1);
    expect(e.stats().total.tasksCreated).toBe(1);
    const record = JSON.parse(readFileSync(path.join(out, 'task.json'), 'utf8')) as {
      taskId: string;
      state: string;
      notes: string[];
      files: { name: string }[];
      timings: { submitStartedAt?: string };
    };
    expect(record.state).toBe('SUCCEEDED');
    expect(record.timings.submitStartedAt).toBeDefined();
    expect(record.notes.join(' ')).toContain(`task ${record.taskId} was found in the task list`);
    expect(record.files).toHaveLength(1);
    expect(existsSync(path.join(out, record.files[0].name))).toBe(true);
    expect(r.stdout).toContain(`task ${record.taskId} SUCCEEDED`);
  });

  it('when it cannot tell (another fitting task in the same seconds), names the candidates and how to fetch them, and never submits again', async () => {
    const e = await emu(dropAfterCreate);
    const dir = tmpDir('money-gen-ambiguous');
    const base = path.join(dir, 'cup.png');
    await writeCutout(base, 64, 48, [200, 80, 40]);
    const out = path.join(dir, 'out');
    // Another program on the same account submits the same kind of task in the same seconds (right after
    // generate's task was created, before its reconciliation reads the list; its reply is lost too).
    const { DashScope } = await import('@backdrop/api');
    const other = new DashScope({ apiKey: 'k1', baseUrl: e.baseUrl });
    const up = await other.files.upload(base);
    const run = startCli(['generate', '--base', base, '--prompt', 'on a table', '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1']);
    const deadline = Date.now() + 60_000;
    while (e.stats().total.tasksCreated < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await other.backgroundGeneration.submit({ baseImageUrl: up.url, refPrompt: 'another program' }).catch(() => undefined);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(1);
    expect(e.stats().total.tasksCreated).toBe(2);
    expect(e.stats().total.submitRequests).toBe(2); // one each: generate did not submit again
    const ids = e.stats().timeline.map((t) => t.taskId);
    expect(r.stderr).toContain('[SubmitUnknown]');
    for (const id of ids) expect(r.stderr).toContain(`backdrop status ${id} --download ${out}`);
    const record = JSON.parse(readFileSync(path.join(out, 'task.json'), 'utf8')) as { state: string; notes: string[] };
    expect(record.state).toBe('unknown');
    expect(record.notes.join(' ')).toContain(ids[0]);
  });
});

describe.skipIf(skipReason)("generate's working files", () => {
  it('--fit never takes a file planted in the old shared /tmp folder: the downscaled base is made in <out>/.backdrop', async () => {
    const e = await emu();
    const dir = tmpDir('money-gen-plant');
    const base = path.join(dir, 'wide.png');
    await writeCutout(base, 2100, 1000, [20, 90, 200]);
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(readFileSync(base)).digest('hex');
    // Another user's plant where the old code looked first (and trusted what it found).
    const tmp = path.join(dir, 'tmp');
    await writeCutout(path.join(tmp, 'backdrop-generate', 'fitted-rgba8', `${sha}.png`), 100, 100, [255, 0, 0]);
    const out = path.join(dir, 'out');
    const r = await runCli(['generate', '--base', base, '--fit', '--prompt', 'x', '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1'], { TMPDIR: tmp });
    expect(r.code, r.stderr).toBe(0);
    const record = JSON.parse(readFileSync(path.join(out, 'task.json'), 'utf8')) as { uploads: { field: string; path: string }[]; files: { name: string }[] };
    const upload = record.uploads.find((u) => u.field === 'base');
    expect(upload?.path.startsWith(path.join(out, '.backdrop'))).toBe(true);
    const { default: sharp } = await import('sharp');
    const meta = await sharp(path.join(out, record.files[0].name)).metadata();
    expect([meta.width, meta.height]).toEqual([2048, 975]);
    expect(readdirSync(path.join(tmp, 'backdrop-generate', 'fitted-rgba8'))).toEqual([`${sha}.png`]);
  });
});

describe.skipIf(skipReason)('partial results (a SUCCEEDED task with fewer images than asked)', () => {
  it('batch keeps the images made, reports the missing ones with their code (results.jsonl, journal, summary), exits 1, pays nothing again', async () => {
    const e = await emu({ taskMs: [30, 60], pendingMs: 0, faults: { partialRate: 1, partialFailureCode: 'DataInspectionFailed' } });
    const dir = tmpDir('money-partial');
    const { manifest } = await writeCatalogue(dir, 2, () => ({ n: 3 }));
    const out = path.join(dir, 'out');
    const args = ['batch', manifest, '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1'];
    const r = await runCli(args, { BACKDROP_LOCK_DIR: path.join(dir, 'locks') });
    expect(r.code, r.stderr).toBe(1);
    const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; files: string[]; missing?: { index: number; code: string; message: string }[] });
    let missing = 0;
    for (const l of lines) {
      expect(l.status).toBe('succeeded');
      expect(l.missing?.length).toBeGreaterThan(0);
      expect(l.files.length + (l.missing?.length ?? 0)).toBe(3);
      for (const m of l.missing ?? []) expect(m.code).toBe('DataInspectionFailed');
      // The positions left out are the missing ones; the others are on disk.
      const indexes = l.files.map((f) => Number(/result-(\d)/.exec(f)![1]));
      expect(indexes.some((i) => (l.missing ?? []).some((m) => m.index === i))).toBe(false);
      for (const f of l.files) expect(existsSync(path.join(out, f))).toBe(true);
      missing += l.missing?.length ?? 0;
    }
    expect(r.stderr).toContain(`batch: ${missing} image(s) missing`);
    expect(r.stderr).toContain('[BATCH_IMAGES_MISSING]');
    const journal = readFileSync(path.join(out, '.backdrop', 'journal.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { e: string; missing?: { code: string }[] });
    const finals = journal.filter((j) => j.e === 'task-final');
    expect(finals.flatMap((f) => f.missing ?? []).map((m) => m.code)).toEqual(Array(missing).fill('DataInspectionFailed'));
    expect(e.stats().total.tasksCreated).toBe(2);
    // Running it again pays for nothing: the partially succeeded items are done.
    const again = await runCli(args, { BACKDROP_LOCK_DIR: path.join(dir, 'locks') });
    expect(again.code, again.stderr).not.toBe(2);
    expect(e.stats().total.submitRequests).toBe(2);
  });

  it('generate keeps the images made, names the missing ones, and exits 1', async () => {
    const e = await emu({ taskMs: [30, 60], pendingMs: 0, faults: { partialRate: 1 } });
    const dir = tmpDir('money-gen-partial');
    const base = path.join(dir, 'cup.png');
    await writeCutout(base, 64, 48, [200, 80, 40]);
    const out = path.join(dir, 'out');
    const r = await runCli(['generate', '--base', base, '--prompt', 'x', '-n', '3', '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/\[ImagesMissing\] \d of 3 images missing/);
    const record = JSON.parse(readFileSync(path.join(out, 'task.json'), 'utf8')) as { files: { name: string }[] };
    expect(record.files.length).toBeGreaterThan(0);
    expect(record.files.length).toBeLessThan(3);
    for (const f of record.files) expect(existsSync(path.join(out, f.name))).toBe(true);
    expect(e.stats().total.submitRequests).toBe(1);
  });
});

describe.skipIf(skipReason)('--dry-run', () => {
  it('batch: checks every item, makes the edge elements, prints what would be sent and billed; no upload, no task', async () => {
    const e = await emu();
    const dir = tmpDir('money-dry-batch');
    await writeCutout(path.join(dir, 'deco', 'leaf.png'), 40, 40, [30, 150, 60]);
    const { manifest } = await writeCatalogue(dir, 3, (i) => ({ n: i + 1, ...(i === 2 ? { background: [{ cutout: 'deco/leaf.png', prompt: 'leaf' }] } : {}) }));
    const out = path.join(dir, 'out');
    const r = await runCli(['batch', manifest, '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1', '--weights', tinyWeights, '--dry-run'], {
      BACKDROP_LOCK_DIR: path.join(dir, 'locks'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(e.stats().total.requests).toBe(0);
    expect(e.stats().total.submitRequests).toBe(0);
    expect(r.stdout).toContain('3 items checked; 6 images would be billed. Nothing was uploaded or submitted.');
    const line2 = r.stdout.split('\n').find((l) => l.startsWith('sku-2: '))!;
    const planned = JSON.parse(line2.slice('sku-2: '.length)) as { inputs: Record<string, string>; parameters: { n: number }; input: { base_image_url: string } };
    expect(planned.parameters.n).toBe(3);
    expect(planned.input.base_image_url).toBe(path.join(dir, 'cutouts', 'p2.png'));
    // The edge element was made and cached for the real run.
    expect(planned.inputs['background[0]'].startsWith(path.join(out, '.backdrop', 'edges'))).toBe(true);
    expect(existsSync(planned.inputs['background[0]'])).toBe(true);
    expect(existsSync(path.join(out, 'results.jsonl'))).toBe(false);
  });

  it('generate: prints the request and the images billed (with --json one object); no upload, no task, no task.json', async () => {
    const e = await emu();
    const dir = tmpDir('money-dry-gen');
    const base = path.join(dir, 'cup.png');
    await writeCutout(base, 64, 48, [200, 80, 40]);
    const out = path.join(dir, 'out');
    const r = await runCli(['generate', '--base', base, '--prompt', 'on a table', '-n', '2', '--out', out, '--base-url', e.baseUrl, '--api-key', 'k1', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as { dryRun: boolean; imagesBilled: number; request: { input: { base_image_url: string; ref_prompt: string }; parameters: { n: number } } };
    expect(o).toMatchObject({ dryRun: true, imagesBilled: 2, request: { input: { base_image_url: base, ref_prompt: 'on a table' }, parameters: { n: 2 } } });
    expect(e.stats().total.requests).toBe(0);
    expect(existsSync(path.join(out, 'task.json'))).toBe(false);
  });
});
