/**
 * `backdrop status <task-id>` — asks the service for a task once and shows its status, times,
 * result URLs, and for a FAILED task its code and message. Exits 0 whenever the query worked and the
 * service knows the task, whatever its status; 1 for UNKNOWN (no such task, another account, or expired). `--download <folder>` also fetches a SUCCEEDED task's images.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { asServiceCallError } from '../cli-errors.js';
import { openClient } from '../dashscope-client.js';
import { downloadForStatus } from '../status-download.js';
import { connectService } from '../service-options.js';
import { checkTaskId, refuseEmulatorForTask, TaskNotFoundError, withTaskCommandArgs } from '../task-id.js';
import { formatTaskReport, summariseTask } from '../task-report.js';

const builder = (yargs: Argv) =>
  withTaskCommandArgs(yargs).options({
    download: { type: 'string', describe: "Also download a SUCCEEDED task's images into this folder (completes a generate's task.json there)" },
    overwrite: { type: 'boolean', describe: "With --download: replace another run's results in the folder" },
  });

type StatusArgs = BuilderArgs<typeof builder>;

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <task-id>',
  describe: 'Show a task: status, times, result URLs (valid 24 h), failure reason',
  builder,
  handler: async (args) => {
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
  },
};
