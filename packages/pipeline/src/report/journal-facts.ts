import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEntry } from '../journal/journal-entry.js';
import type { ItemTimeline } from './report-model.js';

/** What the journal tells the sheet about one item. */
export interface JournalFacts {
  timeline: ItemTimeline;
  attempts: number;
  /** The last `item-done` entry. */
  done?: Extract<JournalEntry, { e: 'item-done' }>;
  /** Files of the last download. */
  files?: string[];
  usage?: { imageCount?: number };
}

/** Reads `<out>/.backdrop/journal.jsonl` (read-only; torn lines skipped) into per-item facts, in first-seen order. */
export async function readJournalFacts(out: string): Promise<Map<string, JournalFacts>> {
  const facts = new Map<string, JournalFacts>();
  /** Key of each item's latest submit. */
  const lanes = new Map<string, string>();
  let text = '';
  try {
    text = await readFile(path.join(out, '.backdrop', 'journal.jsonl'), 'utf8');
  } catch {
    return facts;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: JournalEntry;
    try {
      e = JSON.parse(line) as JournalEntry;
    } catch {
      continue;
    }
    if (!e || typeof e.id !== 'string') continue;
    let f = facts.get(e.id);
    if (!f) facts.set(e.id, (f = { timeline: {}, attempts: 0 }));
    switch (e.e) {
      case 'submit-started':
        lanes.set(e.id, e.lane);
        f.attempts = Math.max(f.attempts, e.attempt);
        break;
      case 'submit-done':
        // Submitted means a task exists: the time and key of the accepted submit (as the live sheet shows).
        f.timeline.submittedAt = e.t;
        f.timeline.lane = lanes.get(e.id) ?? f.timeline.lane;
        break;
      case 'reconciled':
        if (e.taskId !== null) {
          f.timeline.submittedAt = e.t;
          f.timeline.lane = lanes.get(e.id) ?? f.timeline.lane;
        }
        break;
      case 'task-final':
        f.timeline.finalAt = e.t;
        if (e.usage && typeof e.usage === 'object') f.usage = e.usage;
        break;
      case 'download-done':
        f.files = e.files.map((x) => x.name);
        break;
      case 'item-done':
        f.timeline.doneAt = e.t;
        f.done = e;
        break;
      case 'submit-failed':
        break;
    }
  }
  return facts;
}
