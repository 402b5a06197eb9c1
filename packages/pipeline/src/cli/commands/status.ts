/**
 * `backdrop status <task-id>` — asks the service for a task once and shows its status, times,
 * result URLs, and for a FAILED task its code and message. Exits 0 whenever the query worked,
 * whatever the status.
 */
import type { CommandModule } from 'yargs';
import { asServiceCallError } from '../cli-errors.js';
import { openClient } from '../dashscope-client.js';
import { connectService } from '../service-options.js';
import { checkTaskId, withTaskCommandArgs, type TaskCommandArgs } from '../task-id.js';
import { formatTaskReport, summariseTask } from '../task-report.js';

export const statusCommand: CommandModule<object, TaskCommandArgs> = {
  command: 'status <task-id>',
  describe: 'Show a task: status, times, result URLs (valid 24 h), failure reason',
  builder: withTaskCommandArgs,
  handler: async (args) => {
    const taskId = checkTaskId(args.taskId);
    const connection = await connectService(args);
    try {
      const task = await openClient(connection).tasks.get(taskId).catch((err: unknown) => {
        throw asServiceCallError(err);
      });
      process.stdout.write(args.json ? JSON.stringify(summariseTask(task)) + '\n' : formatTaskReport(task) + '\n');
    } finally {
      await connection.close();
    }
  },
};
