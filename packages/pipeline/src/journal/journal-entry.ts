/**
 * The records of the batch journal (`<out>/.backdrop/journal.jsonl`), one JSON object a line.
 * Every side effect on the service is bracketed: `submit-started` is written (and fsync'd) before
 * the submit request leaves, `submit-done` / `submit-failed` after its reply. A `submit-started`
 * with neither is a submit whose fate is unknown: a possible duplicate, reconciled on resume.
 */

/** An image a succeeded task did not deliver: its position in `results` (or `plain`) and the service's reason. */
export interface JournalMissing {
  kind: 'result' | 'plain';
  index: number;
  code: string;
  message: string;
}

/** What a submit asked for, as far as a found task can be checked against it (see stages/task-fit.ts). */
export interface SubmitWant {
  n: number;
  width: number;
  height: number;
}

/** An output file of an item, verified on resume by size and SHA-256. */
export interface JournalFile {
  /** File name inside `<out>/<id>/`. */
  name: string;
  size: number;
  sha256: string;
}

export type JournalEntry =
  /**
   * A submit is about to be sent. `spec` is the hash of the item's definition; `want` what the task must
   * look like to be this submit's (images asked for, base size), checked before a reconciliation adopts one.
   */
  | { e: 'submit-started'; id: string; attempt: number; lane: string; spec: string; want?: SubmitWant; t: number }
  /** The service accepted the submit. */
  | { e: 'submit-done'; id: string; attempt: number; taskId: string; requestId?: string; t: number }
  /** The submit failed; `mayHaveCreatedTask` when the service may still have created it. */
  | { e: 'submit-failed'; id: string; attempt: number; code: string; message: string; mayHaveCreatedTask: boolean; t: number }
  /** An unknown submit outcome was settled: `taskId` adopted from the task list, or null when no task was created. */
  | { e: 'reconciled'; id: string; attempt: number; taskId: string | null; how: string; t: number }
  /** The task reached a final status. */
  | {
      e: 'task-final';
      id: string;
      taskId: string;
      status: string;
      results: string[];
      plain: string[];
      /** Images a SUCCEEDED task did not make (`results` has `''` there), with the service's code. */
      missing?: JournalMissing[];
      usage?: unknown;
      code?: string;
      message?: string;
      t: number;
    }
  /** The item's files are on disk. */
  | { e: 'download-done'; id: string; taskId: string; files: JournalFile[]; t: number }
  /** The item is finished for this run. */
  | { e: 'item-done'; id: string; status: 'succeeded' | 'failed'; taskId?: string; code?: string; message?: string; t: number };
