/**
 * `task.json`: what was done for one task, written next to its results by `backdrop generate` and by
 * the batch engine (one per item folder), and read by `backdrop status --download` — the request as
 * sent (wire form, uploaded inputs as `oss://` URLs), the task id, request ids, the final response,
 * the files and the timings. Rewritten atomically at each step, so a crash or Ctrl-C still leaves
 * the task id on disk. It never holds the API key (only its fingerprint).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WireBackgroundGenerationRequest } from '@backdrop/api';
import type { JournalFile } from '../journal/journal-entry.js';
import type { DownloadPlan } from '../stages/download.js';
import { writeFileAtomic } from './atomic-write.js';

/** One local input and the URL it was uploaded to. */
export interface RecordedUpload {
  field: string;
  path: string;
  url: string;
  bytes: number;
  sha256: string;
  /** When the service forgets the upload (absent when the URL came from the upload cache). */
  expiresAt?: string;
}

/** One downloaded result. */
export interface RecordedFile {
  kind: 'result' | 'plain';
  index: number;
  /** File name inside the output folder. */
  name: string;
  url: string;
  size: number;
  sha256: string;
}

/** The content of `task.json`. */
export interface TaskRecord {
  tool: string;
  /** The batch item's id (batch only). */
  id?: string;
  /** Submits of the item over all runs (batch only). */
  attempts?: number;
  model: string;
  /** `key_…` fingerprint of the API key (never the key); unknown when a batch delivers a task of an earlier run from its journal. */
  account?: string;
  /** The API base URL (generate; a batch's clients do not name theirs). */
  baseUrl?: string;
  workspace?: string;
  /** Where the run is: `uploading` → `submitted` → a final status, or `interrupted`/`error`. */
  state: string;
  taskId?: string;
  taskStatus?: string;
  request?: WireBackgroundGenerationRequest;
  uploads: RecordedUpload[];
  requestIds: { submit?: string; lastQuery?: string; cancel?: string };
  response?: unknown;
  /** The task's `usage` (image count). */
  usage?: unknown;
  files: RecordedFile[];
  error?: { code: string; message: string };
  notes: string[];
  timings: {
    startedAt: string;
    /** When the submit request left (written before it is sent: a lost reply is reconciled from here). */
    submitStartedAt?: string;
    submittedAt?: string;
    finishedAt?: string;
    downloadedAt?: string;
    uploadMs?: number;
    waitMs?: number;
    downloadMs?: number;
    totalMs?: number;
  };
}

/** Keeps a task record and writes it to `<outDir>/task.json` on demand. */
export class TaskRecordFile {
  readonly file: string;
  constructor(
    outDir: string,
    readonly record: TaskRecord,
  ) {
    this.file = path.join(outDir, 'task.json');
  }

  /** The record in `<outDir>/task.json`, or undefined when there is none (or it is not a task record). */
  static async load(outDir: string): Promise<TaskRecordFile | undefined> {
    const text = await readFile(path.join(outDir, 'task.json'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as TaskRecord;
      if (typeof record !== 'object' || record === null || !Array.isArray(record.notes) || !record.timings) return undefined;
      return new TaskRecordFile(outDir, record);
    } catch {
      return undefined;
    }
  }

  /** Writes the current record (temp file, fsync, rename). */
  async save(): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(this.record, null, 2) + '\n');
  }
}

/** Describes downloaded files (`downloadFiles` over `plan`) for `task.json`. */
export function recordedFiles(plan: DownloadPlan[], written: JournalFile[]): RecordedFile[] {
  return written.map((f, i) => ({
    kind: plan[i].stem.startsWith('plain-') ? ('plain' as const) : ('result' as const),
    index: Number(plan[i].stem.split('-')[1]),
    name: f.name,
    url: plan[i].url,
    size: f.size,
    sha256: f.sha256,
  }));
}
