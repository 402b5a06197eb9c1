/**
 * Leaving `runBatch`'s event loop early stops the run cleanly: no task is created after the loop is
 * left (beyond a submit already on the wire), the task at the service stays in the journal for the
 * next run, the key lock is released (a second run on the same key starts at once), and the loop's
 * exit waits for all of it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '@backdrop/emulator';
import { runBatch } from '../src/engine/run-batch.js';
import type { BatchEvent } from '../src/engine/batch-events.js';
import { openBatchSource } from '../src/manifest/batch-source.js';
import { tmpDir, writeCatalogue } from './helpers/batch-fixtures.js';

const KEY = 'stop-iteration-key';
const emulators: Emulator[] = [];
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
});

describe('runBatch: leaving the for-await loop', () => {
  it.each(['break', 'return'] as const)(
    'stops the run (%s): no new tasks, journal kept, lock free',
    async (how) => {
      const emulator = await startEmulator({ taskMs: [700, 900], seed: 3 });
      emulators.push(emulator);
      const dir = tmpDir(`stop-${how}`);
      const { manifest } = await writeCatalogue(dir, 8);
      const out = path.join(dir, 'out');
      const options = { out, apiKeys: [KEY], baseUrl: emulator.baseUrl, lock: { dir: path.join(dir, 'locks') } };

      const submitted: string[] = [];
      const events = runBatch(await openBatchSource(manifest), options);
      if (how === 'break') {
        for await (const e of events) {
          if (e.type === 'submitted') submitted.push(e.taskId);
          if (submitted.length === 1) break;
        }
      } else {
        const it = events[Symbol.asyncIterator]();
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          if (r.value.type === 'submitted') submitted.push(r.value.taskId);
          if (submitted.length === 1) break;
        }
        await it.return?.();
      }
      const atExit = emulator.stats().total;
      // At most the submit already on the wire when the loop was left (the queued-ahead one).
      expect(atExit.tasksCreated).toBeLessThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 2500));
      const later = emulator.stats().total;
      expect(later.submitRequests).toBe(atExit.submitRequests);
      expect(later.tasksCreated).toBe(atExit.tasksCreated);

      // The tasks at the service are in the journal, for the next run to pick up.
      const journal = readFileSync(path.join(out, '.backdrop', 'journal.jsonl'), 'utf8');
      for (const id of submitted) expect(journal).toContain(id);

      // The key lock is free: a second run starts at once (no wait) and finishes every item, without paying twice.
      const second: BatchEvent[] = [];
      for await (const e of runBatch(await openBatchSource(manifest), options)) second.push(e);
      const summary = second.find((e) => e.type === 'summary');
      expect(summary?.type === 'summary' && summary.summary).toMatchObject({ total: 8, succeeded: 8, failed: 0 });
      expect(emulator.stats().total.tasksCreated).toBe(8);
    },
    120_000,
  );
});
