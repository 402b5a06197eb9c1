/**
 * A real `backdrop batch --emulator` stopped mid-run (Ctrl-C twice, SIGKILL, Ctrl-C once) and run
 * again: `results.jsonl` has a line for every item finished so far whatever the stop, the summary
 * counts every item of the input once, and the resume against the fresh in-process emulator says
 * once, plainly, what happens to the unfinished items (no ResultExpired / UploadsRefreshed alarms,
 * no attempts counted that the new emulator never saw). Two `--emulator` runs at once are not
 * refused by the per-key lock (each has its own emulator).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliUnavailableReason, sharp, spawnCli, type CliProcess } from './fixtures/cli/cli-harness.js';

const skip = cliUnavailableReason();
if (skip) console.log(`cli-batch-stop skipped: ${skip}`);

/** A folder of `count` RGBA PNG cut-outs. */
async function folderOf(count: number): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'backdrop-stop-'));
  for (let i = 0; i < count; i++) {
    const w = 64;
    const h = 48;
    const px = Buffer.alloc(w * h * 4);
    for (let y = 12; y < 36; y++) for (let x = 16; x < 48; x++) px.set([(i * 53) % 256, 200 - i * 17, (i * 71) % 256, 255], (y * w + x) * 4);
    await sharp(px, { raw: { width: w, height: h, channels: 4 } })
      .png()
      .toFile(path.join(dir, `p${i}.png`));
  }
  return dir;
}

interface ResultLine {
  id: string;
  status: string;
  attempts: number;
  resumed?: boolean;
}

function resultLines(out: string): ResultLine[] {
  const file = path.join(out, 'results.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ResultLine);
}

/** Items reported finished on stderr so far (non-TTY: one `[n/N] id: …` line each). */
function finishedOnStderr(p: CliProcess): string[] {
  return [...p.stderr.matchAll(/^\[\d+\/\d+\] (\S+): (?!interrupted)/gm)].map((m) => m[1]);
}

const batch = (input: string, out: string, extra: string[] = []) => spawnCli(['batch', input, '--out', out, '--emulator', '--prompt', 'on a wooden table', ...extra]);

describe.skipIf(skip)('backdrop batch stopped mid-run', () => {
  it('Ctrl-C twice: results.jsonl has a line per finished item', async () => {
    const input = await folderOf(9);
    const out = path.join(input, 'out');
    const p = batch(input, out);
    await p.waitFor(/^\[2\/9\] /m, 'stderr', 90_000);
    // Signals sent back to back may arrive as one: keep sending until the second one is seen.
    p.child.kill('SIGINT');
    const again = setInterval(() => p.child.exitCode === null && p.child.signalCode === null && p.child.kill('SIGINT'), 10);
    const r = await p.exited;
    clearInterval(again);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('second SIGINT, exiting now');
    const finished = finishedOnStderr(p);
    const lines = resultLines(out).filter((l) => l.status === 'succeeded');
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(lines.map((l) => l.id).sort()).toEqual(expect.arrayContaining(finished));
  }, 120_000);

  it('SIGKILL: results.jsonl has a line per finished item', async () => {
    const input = await folderOf(9);
    const out = path.join(input, 'out');
    const p = batch(input, out);
    await p.waitFor(/^\[3\/9\] /m, 'stderr', 90_000);
    p.child.kill('SIGKILL');
    await p.exited;
    const finished = finishedOnStderr(p);
    const lines = resultLines(out);
    expect(lines.filter((l) => l.status === 'succeeded').map((l) => l.id)).toEqual(expect.arrayContaining(finished));
    expect(lines.length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('Ctrl-C once and resume: every item counted once, the fresh emulator said plainly, no alarms', async () => {
    const input = await folderOf(9);
    const out = path.join(input, 'out');
    const p = batch(input, out);
    await p.waitFor(/^\[2\/9\] /m, 'stderr', 90_000);
    // Stop while a task is at the service.
    await p.waitFor(/submitted|\[2\/9\]/, 'stderr', 1000).catch(() => undefined);
    p.child.kill('SIGINT');
    const r = await p.exited;
    expect(r.code).toBe(130);
    const summary = /batch: (\d+) items: (\d+) succeeded.*?(\d+) interrupted/.exec(r.stderr);
    expect(summary, r.stderr).not.toBeNull();
    expect(Number(summary![1])).toBe(9);
    expect(Number(summary![2]) + Number(summary![3])).toBe(9 - Number(/(\d+) failed/.exec(r.stderr)![1]));
    const first = resultLines(out);
    expect(first).toHaveLength(9);
    const done1 = first.filter((l) => l.status === 'succeeded').length;

    const again = await batch(input, out).exited;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`batch: 9 items: 9 succeeded \\(${done1} of them done in an earlier run\\)`));
    expect(again.stderr).not.toMatch(/ResultExpired|UploadsRefreshed/);
    const lines = resultLines(out);
    expect(lines).toHaveLength(9);
    expect(lines.every((l) => l.status === 'succeeded')).toBe(true);
    // Items redone against the fresh emulator count only this run's submit.
    for (const l of lines.filter((x) => !x.resumed)) expect(l.attempts).toBe(1);
    const unfinished = (/the in-process emulator started empty[^:]*: (\d+) unfinished item/.exec(again.stderr) ?? [])[1];
    expect(unfinished, again.stderr).toBeDefined();
    expect(Number(unfinished)).toBeLessThanOrEqual(9 - done1);
    expect(again.stderr.match(/started empty/g)?.length ?? 0).toBeLessThanOrEqual(1);
  }, 180_000);

  it('two --emulator runs at once are not refused by the per-key lock', async () => {
    const input = await folderOf(2);
    const a = batch(input, path.join(input, 'out-a'));
    const b = batch(input, path.join(input, 'out-b'));
    const [ra, rb] = await Promise.all([a.exited, b.exited]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
  }, 120_000);
});
