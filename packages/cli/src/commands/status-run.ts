/**
 * What `backdrop status` does once its arguments are parsed (`status.ts`): asks the service for the task
 * once, prints its report (or JSON), and with `--download` fetches a SUCCEEDED task's images.
 */
import path from 'node:path';
import type { ArgumentsCamelCase } from 'yargs';
import { asServiceCallError } from '../cli-errors.js';
import { openClient } from '../dashscope-client.js';
import { downloadForStatus } from '../status-download.js';
import { connectService } from '../service-connection.js';
import { checkTaskId, refuseEmulatorForTask, TaskNotFoundError } from '../task-id.js';
import { formatTaskReport, summariseTask } from '../task-report.js';
import type { StatusArgs } from './status.js';

/** Shows one task (and downloads its images with `--download`). */
export async function showTaskStatus(args: ArgumentsCamelCase<StatusArgs>): Promise<void> {
  const taskId = checkTaskId(args.taskId);
  refuseEmulatorForTask(args, 'status');
  const connection = await connectService(args);
  try {
    const task = await openClient(connection)
      .tasks.get(taskId)
      .catch((err: unknown) => {
        throw asServiceCallError(err);
      });
    if (args.download === undefined || task.taskStatus === 'UNKNOWN') {
      process.stdout.write(args.json ? JSON.stringify(summariseTask(task)) + '\n' : formatTaskReport(task) + '\n');
      if (task.taskStatus === 'UNKNOWN') throw new TaskNotFoundError(taskId);
      return;
    }
    if (!args.json) process.stdout.write(formatTaskReport(task) + '\n');
    const download = await downloadForStatus(task, args.download, args.overwrite === true);
    const files = download.files.map((f) => ({ ...f, path: path.join(download.dir, f.name) }));
    if (args.json) {
      process.stdout.write(JSON.stringify({ ...summariseTask(task), files, updatedTaskJson: download.updatedRecord }) + '\n');
    } else {
      process.stdout.write(`downloaded ${files.length} file${files.length === 1 ? '' : 's'} into ${download.dir}${download.updatedRecord ? ' (task.json completed)' : ''}\n`);
      for (const f of files) process.stdout.write(`  ${f.path}\n`);
    }
  } finally {
    await connection.close();
  }
}
