/**
 * The batch progress line: what is at the service said as the service reports it (running vs queued
 * there — never "2 running" with one slot), an ETA with units, and a line that fits the terminal
 * from the first frame (whole parts left out, never cut mid-word). The live bar is drawn into a
 * stream that says it is a TTY, as `process.stderr` does in a terminal.
 */
import { describe, expect, it } from 'vitest';
import type { BatchEvent, ItemResult } from '../packages/pipeline/src/index.js';
import { BatchProgress } from '../packages/cli/src/progress/batch-progress.js';
import { formatDuration, progressLine } from '../packages/cli/src/progress/progress-line.js';

class TtyStream {
  out = '';
  readonly isTTY = true;
  constructor(readonly columns: number) {}
  write(chunk: string): boolean {
    this.out += chunk;
    return true;
  }
  /** The frames drawn so far (text after each carriage return, control sequences removed). */
  frames(): string[] {
    return this.out
      .split('\r')
      .map((f) => f.split('\u001b[K').join(''))
      .filter((f) => f.length > 0);
  }
}

const done = (id: string): ItemResult => ({ id, status: 'succeeded', files: ['result-0.png'], attempts: 1, resumed: false, taskId: `t-${id}` });

describe('batch progress', () => {
  it('says running and queued at the service as the service reports them', () => {
    const s = new TtyStream(200);
    const p = new BatchProgress(s, 5);
    const feed: BatchEvent[] = [
      { type: 'submitted', id: 'a', taskId: 't-a', lane: 'k', attempt: 1 },
      { type: 'stage', id: 'a', stage: 'running' },
      { type: 'submitted', id: 'b', taskId: 't-b', lane: 'k', attempt: 1 },
      { type: 'stage', id: 'b', stage: 'queued' },
    ];
    for (const e of feed) p.onEvent(e);
    p.note('x'); // forces a frame
    const last = s.frames().at(-1)!;
    expect(last).toContain('at service: 1 running, 1 queued');
    expect(last).not.toContain('2 running');
    p.onEvent({ type: 'item-done', result: done('a') });
    p.onEvent({ type: 'stage', id: 'b', stage: 'running' });
    p.note('y');
    expect(s.frames().at(-1)).toContain('at service: 1 running');
    expect(s.frames().at(-1)).not.toContain('queued');
    p.end(undefined);
  });

  it('never shows more running than the service has slots (a task seen RUNNING before has ended)', () => {
    const s = new TtyStream(200);
    const p = new BatchProgress(s, 5, { maxRunningPerKey: 1 });
    p.onEvent({ type: 'start', lanes: ['k'], out: 'out' });
    p.onEvent({ type: 'stage', id: 'a', stage: 'running' });
    // b's RUNNING is polled before a's SUCCEEDED: with one slot, a has ended.
    p.onEvent({ type: 'stage', id: 'b', stage: 'running' });
    p.note('z');
    expect(s.frames().at(-1)).toContain('at service: 1 running');
    p.end(undefined);
  });

  it('gives the ETA with units', () => {
    expect(formatDuration(200)).toBe('3m 20s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3.25)).toBe('3.3 s');
    expect(formatDuration(3900)).toBe('1h 05m');
    const line = progressLine({ total: 10, done: 4, failed: 0, running: 1, pending: 0, imagesPerMinute: 12, etaSeconds: 200 }, 200);
    expect(line).toContain('ETA 3m 20s');
  });

  it.each([40, 60, 80, 120])('fits a %i-column terminal from the first frame, leaving out whole parts', (cols) => {
    const s = new TtyStream(cols);
    const p = new BatchProgress(s, 1234);
    p.note('service: in-process emulator'); // the first frame is drawn right after the first note
    p.onEvent({ type: 'submitted', id: 'a', taskId: 't-a', lane: 'k', attempt: 1 });
    p.onEvent({ type: 'item-done', result: done('a') }); // an ETA appears: the bar narrows, the line still fits
    p.note('again');
    const frames = s.frames().filter((f) => f.includes('/1234'));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) {
      expect([...f.replace(/\n/g, '')].length).toBeLessThan(cols);
      expect(f).toMatch(/^([█░]+ )?\d+\/1234/);
      // Every part shown whole: each ` · `-separated part is one of the known parts.
      for (const part of f.replace(/^[█░]+ /, '').split(' · ')) {
        expect(part).toMatch(/^(\d+\/\d+|\d+ done|\d+ failed|at service: \d+ running(, \d+ queued)?|[\d.]+ img\/min|ETA .+ ?[smh])$/);
      }
    }
    p.end(undefined);
  });

  it('counts resumed items once in the summary', () => {
    const s = new TtyStream(120);
    const p = new BatchProgress(s, 9);
    p.end({ total: 9, succeeded: 9, failed: 0, interrupted: 0, resumed: 4, images: 5, possibleDuplicates: 0, missingImages: 0, wallMs: 1000, resultsFile: 'out/results.jsonl' });
    expect(s.out).toContain('batch: 9 items: 9 succeeded (4 of them done in an earlier run), 0 failed;');
  });
});
