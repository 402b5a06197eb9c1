import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { ItemResult } from '../engine/batch-events.js';
import { writeFileAtomic } from './atomic-write.js';

/** Writes `<out>/results.jsonl`: one line per item (id, status, task id, files, error code and message, usage). */
export async function writeResultsFile(file: string, results: ItemResult[]): Promise<void> {
  const lines = results.map((r) => resultLine(r));
  await writeFileAtomic(file, lines.join('\n') + (lines.length ? '\n' : ''));
}

/**
 * `results.jsonl` kept true while a run goes: emptied when the run starts, one line appended (one
 * write, fsync'd) as each item finishes, so a kill or a second Ctrl-C leaves a line for every item
 * finished so far; the run rewrites it whole, in input order, at its end ({@link writeResultsFile}).
 */
export class ResultsLog {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  /** Empties the file (the lines of an earlier run are stale: this run reports every item again). */
  async start(): Promise<void> {
    await writeFileAtomic(this.file, '');
    this.fd = openSync(this.file, 'a');
  }

  /** Appends one item's line and flushes it to disk. */
  append(r: ItemResult): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, resultLine(r) + '\n');
    fsyncSync(this.fd);
  }

  /** Stops appending (before the whole file is rewritten). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** One line of `results.jsonl` (without the newline): the JSON record of one item's result. */
export function resultLine(r: ItemResult): string {
  return JSON.stringify({
    id: r.id,
    status: r.status,
    taskId: r.taskId ?? null,
    files: r.files.map((f) => `${r.id}/${f}`),
    errorCode: r.error?.code ?? null,
    errorMessage: r.error?.message ?? null,
    attempts: r.attempts,
    ...(r.resumed ? { resumed: true } : {}),
    ...(r.possibleDuplicate ? { possibleDuplicate: true } : {}),
    ...(r.usage ? { usage: { image_count: r.usage.imageCount ?? null } } : {}),
    ...(r.missing && r.missing.length > 0 ? { missing: r.missing } : {}),
  });
}
