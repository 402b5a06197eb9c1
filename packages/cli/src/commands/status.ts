/**
 * `backdrop status <task-id>` — asks the service for a task once and shows its status, times,
 * result URLs, and for a FAILED task its code and message. Exits 0 whenever the query worked and the
 * service knows the task, whatever its status; 1 for UNKNOWN (no such task, another account, or expired). `--download <folder>` also fetches a SUCCEEDED task's images.
 * The options are declared here; the query loads only when the command runs (`status-run.ts`).
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { withTaskCommandArgs } from '../task-id.js';

const builder = (yargs: Argv) =>
  withTaskCommandArgs(yargs).options({
    download: { type: 'string', describe: "Also download a SUCCEEDED task's images into this folder (completes a generate's task.json there)" },
    overwrite: { type: 'boolean', describe: "With --download: replace another run's results in the folder" },
  });

/** The parsed arguments of `backdrop status`. */
export type StatusArgs = BuilderArgs<typeof builder>;

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <task-id>',
  describe: 'Show a task: status, times, result URLs (valid 24 h), failure reason',
  builder,
  handler: async (args) => {
    const { showTaskStatus } = await import('./status-run.js');
    await showTaskStatus(args);
  },
};
