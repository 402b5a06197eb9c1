/**
 * `backdrop cancel <task-id>` — cancels a task that is still PENDING. The service refuses to cancel a
 * task that has started (or ended); then this says so in plain words and what the task is doing.
 * The options are declared here; the client loads only when the command runs (`cancel-run.ts`).
 */
import type { CommandModule } from 'yargs';
import { withTaskCommandArgs, type TaskCommandArgs } from '../task-id.js';

export const cancelCommand: CommandModule<object, TaskCommandArgs> = {
  command: 'cancel <task-id>',
  describe: 'Cancel a task that is still PENDING (a RUNNING task cannot be cancelled)',
  builder: withTaskCommandArgs,
  handler: async (args) => {
    const { cancelTask } = await import('./cancel-run.js');
    await cancelTask(args);
  },
};
