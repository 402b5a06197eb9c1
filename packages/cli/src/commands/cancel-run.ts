/**
 * What `backdrop cancel` does once its arguments are parsed (`cancel.ts`): asks the service to cancel the
 * task and, when it refuses, says why in plain words from the task's status.
 */
import { UnsupportedOperationError } from '@backdrop/api';
import type { ArgumentsCamelCase } from 'yargs';
import { asServiceCallError, CliError } from '../cli-errors.js';
import { openClient } from '../dashscope-client.js';
import { connectService } from '../service-connection.js';
import { checkTaskId, refuseEmulatorForTask, type TaskCommandArgs } from '../task-id.js';

/** Cancels a PENDING task. */
export async function cancelTask(args: ArgumentsCamelCase<TaskCommandArgs>): Promise<void> {
  const taskId = checkTaskId(args.taskId);
  refuseEmulatorForTask(args, 'cancel');
  const connection = await connectService(args);
  const client = openClient(connection);
  try {
    try {
      await client.tasks.cancel(taskId);
    } catch (err) {
      if (!(err instanceof UnsupportedOperationError)) throw asServiceCallError(err);
      const status = await client.tasks.get(taskId).then(
        (t) => t.taskStatus,
        () => undefined,
      );
      const now =
        status === 'UNKNOWN' ? 'the service does not know it (wrong id, another account, or expired after 24 h)' : status ? `it is ${status}` : 'its status could not be read';
      const advice = status === 'RUNNING' || status === 'SUSPENDED' ? ` It will finish (and be billed); fetch its results with \`backdrop status ${taskId}\`.` : '';
      throw new CliError('UnsupportedOperation', `Task ${taskId} cannot be cancelled: only PENDING tasks can be, and ${now}.${advice}`, { cause: err });
    }
    if (args.json) process.stdout.write(JSON.stringify({ taskId, canceled: true }) + '\n');
    else process.stdout.write(`task ${taskId} canceled (it was PENDING: it will not run and is not billed)\n`);
  } finally {
    await connection.close();
  }
}
