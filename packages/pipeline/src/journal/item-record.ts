import type { JournalEntry, JournalFile, SubmitWant } from './journal-entry.js';

/** A task the journal knows an item submitted. */
export interface JournaledTask {
  taskId: string;
  attempt: number;
  lane: string;
  submittedAt: number;
}

/** What the journal knows about one item, folded from its entries in order. */
export interface ItemRecord {
  /** Hash of the item's definition at its last submit. */
  spec?: string;
  /** Submits started so far (all runs). */
  attempts: number;
  /** A submit that started and has no known outcome (possible duplicate). */
  unsettledSubmit?: { attempt: number; lane: string; startedAt: number; spec: string; want?: SubmitWant };
  /** The task currently being waited for (submitted, not final). */
  task?: JournaledTask;
  /** The last final task status. */
  final?: Extract<JournalEntry, { e: 'task-final' }>;
  /** Files written for `final`. */
  files?: JournalFile[];
  /** Set when the item finished (in an earlier run or this one). */
  done?: Extract<JournalEntry, { e: 'item-done' }>;
  /** Every task id this item ever submitted (for duplicate accounting). */
  taskIds: string[];
}

/** Applies one entry to a record (the record is created when missing). */
export function applyEntry(records: Map<string, ItemRecord>, entry: JournalEntry): void {
  let r = records.get(entry.id);
  if (!r) {
    r = { attempts: 0, taskIds: [] };
    records.set(entry.id, r);
  }
  switch (entry.e) {
    case 'submit-started':
      if (r.spec !== undefined && r.spec !== entry.spec) {
        // The item was redefined: earlier outcomes no longer apply.
        delete r.final;
        delete r.files;
        delete r.done;
      }
      r.spec = entry.spec;
      r.attempts = Math.max(r.attempts, entry.attempt);
      r.unsettledSubmit = { attempt: entry.attempt, lane: entry.lane, startedAt: entry.t, spec: entry.spec, ...(entry.want ? { want: entry.want } : {}) };
      delete r.done;
      break;
    case 'submit-done':
      if (r.unsettledSubmit?.attempt === entry.attempt) {
        r.task = { taskId: entry.taskId, attempt: entry.attempt, lane: r.unsettledSubmit.lane, submittedAt: r.unsettledSubmit.startedAt };
        delete r.unsettledSubmit;
      }
      if (!r.taskIds.includes(entry.taskId)) r.taskIds.push(entry.taskId);
      break;
    case 'submit-failed':
      if (r.unsettledSubmit?.attempt === entry.attempt && !entry.mayHaveCreatedTask) delete r.unsettledSubmit;
      break;
    case 'reconciled':
      if (r.unsettledSubmit?.attempt === entry.attempt) {
        if (entry.taskId !== null) {
          r.task = { taskId: entry.taskId, attempt: entry.attempt, lane: r.unsettledSubmit.lane, submittedAt: r.unsettledSubmit.startedAt };
          if (!r.taskIds.includes(entry.taskId)) r.taskIds.push(entry.taskId);
        }
        delete r.unsettledSubmit;
      }
      break;
    case 'task-final':
      r.final = entry;
      delete r.files;
      if (r.task?.taskId === entry.taskId) delete r.task;
      break;
    case 'download-done':
      if (r.final?.taskId === entry.taskId) r.files = entry.files;
      break;
    case 'item-done':
      r.done = entry;
      break;
  }
}
