import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { downloadFiles, TaskRecordFile, type DownloadPlan, type JournalFile, type TaskRecord } from './stages-bridge.js';

/**
 * Where workers put what they make. Every worker of a queue writes to the same store: a local folder
 * (or a shared mount) today; an S3-compatible bucket is another implementation of this interface.
 */
export interface OutputStore {
  /** Names the store in messages (`/data/out`, `s3://bucket/prefix`). */
  readonly label: string;
  /**
   * A local folder for caches derived from inputs (edge elements, downscaled bases), shared by the
   * workers that can reach it. A store without one makes each worker keep its own.
   */
  readonly stateDir: string;
  /** Downloads a finished task's files as item `id`'s results (`<id>/result-<i>.png`); returns what was written. */
  saveResults(id: string, plan: DownloadPlan[], signal?: AbortSignal): Promise<JournalFile[]>;
  /** Writes item `id`'s `task.json`. */
  writeTaskRecord(id: string, record: TaskRecord): Promise<void>;
  /** Adds one line to `results.jsonl`; safe when several processes add lines at once. */
  appendResult(line: string): Promise<void>;
}

/**
 * The output folder of `backdrop batch`, shared by every worker: `<out>/<id>/result-<i>.png`,
 * `<out>/<id>/task.json` (written atomically) and `<out>/results.jsonl`, to which each item adds one
 * line with a single `write` on an `O_APPEND` descriptor (lines of several processes never mix).
 */
export class LocalOutputStore implements OutputStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get label(): string {
    return this.root;
  }

  get stateDir(): string {
    return path.join(this.root, '.backdrop');
  }

  saveResults(id: string, plan: DownloadPlan[], signal?: AbortSignal): Promise<JournalFile[]> {
    return downloadFiles(path.join(this.root, id), plan, signal ? { signal } : {});
  }

  async writeTaskRecord(id: string, record: TaskRecord): Promise<void> {
    const dir = path.join(this.root, id);
    await mkdir(dir, { recursive: true });
    await new TaskRecordFile(dir, record).save();
  }

  async appendResult(line: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const fh = await open(path.join(this.root, 'results.jsonl'), 'a');
    try {
      await fh.write(line.endsWith('\n') ? line : `${line}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
