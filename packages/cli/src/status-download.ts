/**
 * `backdrop status <id> --download <folder>`: fetches a SUCCEEDED task's images later — e.g. after
 * Ctrl-C left a generate waiting, or a download failed. When the folder is that task's `generate`
 * output, its `task.json` is completed (final response, files); a folder holding another run's
 * results is left alone unless `--overwrite`.
 */
import path from 'node:path';
import type { Task } from '@backdrop/api';
import { CliError } from './cli-errors.js';
import { prepareOutputFolder } from './output-folder.js';
import { downloadTaskResults } from './result-files.js';
import { TaskRecordFile, type RecordedFile } from '@backdrop/pipeline';

/** Files written, and whether the folder's `task.json` was completed. */
export interface StatusDownload {
  dir: string;
  files: RecordedFile[];
  updatedRecord: boolean;
}

/** Downloads `task`'s images into `dir` (see the module comment). */
export async function downloadForStatus(task: Task, dir: string, overwrite: boolean): Promise<StatusDownload> {
  if (task.taskStatus !== 'SUCCEEDED') {
    throw new CliError(
      'NOTHING_TO_DOWNLOAD',
      `Task ${task.taskId} is ${task.taskStatus}: ${task.taskStatus === 'PENDING' || task.taskStatus === 'RUNNING' || task.taskStatus === 'SUSPENDED' ? 'nothing to download yet; try again when it has SUCCEEDED' : 'it has no images to download'}.`,
    );
  }
  const outDir = path.resolve(dir);
  const existing = await TaskRecordFile.load(outDir);
  const sameTask = existing?.record.taskId === task.taskId;
  await prepareOutputFolder(outDir, overwrite || sameTask, '--download');
  const files = await downloadTaskResults(task, outDir);
  if (existing && sameTask) {
    const record = existing.record;
    record.state = 'SUCCEEDED';
    record.taskStatus = task.taskStatus;
    record.requestIds.lastQuery = task.requestId;
    record.response = task.raw;
    record.files = files;
    delete record.error;
    record.timings.downloadedAt = new Date().toISOString();
    record.notes.push('Results downloaded later with `backdrop status --download`.');
    await existing.save();
  }
  return { dir: outDir, files, updatedRecord: Boolean(existing && sameTask) };
}
