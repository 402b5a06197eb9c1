import { closeSync, fdatasyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { JournalEntry } from './journal-entry.js';
import { applyEntry, type ItemRecord } from './item-record.js';

/**
 * The durable, append-only stage log of a batch (`<out>/.backdrop/journal.jsonl`).
 * `append` returns only after the line is on disk (fdatasync), so a record written before a side
 * effect survives a `kill -9` during it. A torn last line (killed mid-write) is ignored on load.
 */
export class Journal {
  readonly file: string;
  private fd: number | undefined;
  private readonly records = new Map<string, ItemRecord>();

  private constructor(file: string) {
    this.file = file;
  }

  /** Opens (creating when needed) the journal in `stateDir` and folds what it holds. */
  static open(stateDir: string): Journal {
    mkdirSync(stateDir, { recursive: true });
    const j = new Journal(path.join(stateDir, 'journal.jsonl'));
    let text = '';
    try {
      text = readFileSync(j.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // torn write from a killed run
      }
      if (entry && typeof entry.id === 'string') applyEntry(j.records, entry);
    }
    j.fd = openSync(j.file, 'a');
    // A torn last line must not swallow the next entry: start on a fresh line.
    if (text.length > 0 && !text.endsWith('\n')) writeSync(j.fd, '\n');
    return j;
  }

  /** What the journal knows about `id` (undefined for an item never submitted). */
  record(id: string): ItemRecord | undefined {
    return this.records.get(id);
  }

  /** Every item id the journal knows. */
  ids(): IterableIterator<string> {
    return this.records.keys();
  }

  /** Appends an entry durably, then applies it to the in-memory records. */
  append(entry: JournalEntry): void {
    if (this.fd === undefined) throw new Error('internal: journal is closed');
    writeSync(this.fd, JSON.stringify(entry) + '\n');
    fdatasyncSync(this.fd);
    applyEntry(this.records, entry);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
