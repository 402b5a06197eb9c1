/**
 * `backdrop status <task-id>` — asks the service for a task once and shows its status, times,
 * result URLs, and for a FAILED task its code and message. Exits 0 whenever the query worked,
 * whatever the status.
 */
import type { Argv, CommandModule } from 'yargs';
import { asServiceCallError } from '../cli-errors.js';
import { openClient } from '../dashscope-client.js';
import { connectService, withServiceOptions, type ServiceArgs } from '../service-options.js';
import { checkTaskId } from '../task-id.js';
import { formatTaskReport, summariseTask } from '../task-report.js';

interface StatusArgs extends ServiceArgs {
  taskId: string;
  json?: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <task-id>',
  describe: 'Show a task: status, times, result URLs (valid 24 h), failure reason',
  builder: (yargs: Argv) =>
    withServiceOptions(
      yargs
        .positional('task-id', { type: 'string', describe: 'Task id printed by `backdrop generate`', demandOption: true })
        .option('json', { type: 'boolean', describe: 'Print one JSON object on stdout' }),
    ) as unknown as Argv<StatusArgs>,
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
