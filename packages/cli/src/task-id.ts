/**
 * The `<task-id>` argument of `backdrop status` / `backdrop cancel`: its yargs definition (with
 * `--json` and the service options those commands share) and the check made before the id is put
 * into a URL.
 */
import type { Argv } from 'yargs';
import { CliUsageError } from './cli-errors.js';
import { withServiceOptions, type ServiceArgs } from './service-options.js';

/** Parsed arguments of a command about one task. */
export interface TaskCommandArgs extends ServiceArgs {
  taskId: string;
  json?: boolean;
}

/** Adds `<task-id>`, `--json` and the service options. */
export function withTaskCommandArgs(yargs: Argv): Argv<TaskCommandArgs> {
  return withServiceOptions(
    yargs
      .positional('task-id', { type: 'string', describe: 'Task id printed by `backdrop generate`', demandOption: true })
      .option('json', { type: 'boolean', describe: 'Print one JSON object on stdout' }),
  ) as unknown as Argv<TaskCommandArgs>;
}

/** DashScope task ids are UUID-like; accept letters, digits, `-` and `_` only. */
export function checkTaskId(value: unknown): string {
  const id = String(value ?? '').trim();
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new CliUsageError(
      'INVALID_TASK_ID',
      `"${String(value)}" is not a task id; use the id printed by \`backdrop generate\` (e.g. b2e98d78-c79b-431c-b2d7-c7bcd54465da).`,
    );
  }
  return id;
}
