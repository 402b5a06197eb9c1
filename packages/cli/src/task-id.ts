/**
 * The `<task-id>` argument of `backdrop status` / `backdrop cancel`: its yargs definition (with
 * `--json` and the service options those commands share) and the check made before the id is put
 * into a URL.
 */
import type { Argv } from 'yargs';
import { CliError, CliUsageError } from './cli-errors.js';
import type { BuilderArgs } from './command-args.js';
import { withServiceOptions } from './service-options.js';

/** Adds `<task-id>`, `--json` and the service options. */
export function withTaskCommandArgs(yargs: Argv) {
  return withServiceOptions(
    yargs
      .positional('task-id', { type: 'string', describe: 'Task id printed by `backdrop generate`', demandOption: true })
      .option('json', { type: 'boolean', describe: 'Print one JSON object on stdout' }),
  ).describe('emulator', 'Refused here: an in-process emulator is empty (every task UNKNOWN); run `backdrop emulator` and set DASHSCOPE_HTTP_BASE_URL');
}

/** Parsed arguments of a command about one task. */
export type TaskCommandArgs = BuilderArgs<typeof withTaskCommandArgs>;

/**
 * `--emulator` starts a fresh, empty emulator for the one command, so a task of another run can only
 * ever be UNKNOWN to it: refused with what to do instead.
 */
export function refuseEmulatorForTask(args: { emulator?: boolean }, command: string): void {
  if (!args.emulator) return;
  throw new CliUsageError(
    'EMULATOR_HAS_NO_TASKS',
    `${command} --emulator would ask a fresh, empty emulator started for this command alone, which knows no task (every answer: UNKNOWN). ` +
      'Run `backdrop emulator` in another terminal and point every command at it with DASHSCOPE_HTTP_BASE_URL=http://127.0.0.1:<port>/api/v1 (or --base-url).',
  );
}

/** The service does not know the task (`TASK_NOT_FOUND`, exit 1): the query worked, the task is not there. */
export class TaskNotFoundError extends CliError {
  readonly exitCode = 1;
  constructor(taskId: string) {
    super('TASK_NOT_FOUND', `task ${taskId} is UNKNOWN to the service: no such id, a task of another account or key, or older than 24 h (tasks and their results are kept 24 h).`);
    this.name = 'TaskNotFoundError';
  }
}

/** DashScope task ids are UUID-like; accept letters, digits, `-` and `_` only. */
export function checkTaskId(value: unknown): string {
  const id = String(value ?? '').trim();
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new CliUsageError('INVALID_TASK_ID', `"${String(value)}" is not a task id; use the id printed by \`backdrop generate\` (e.g. b2e98d78-c79b-431c-b2d7-c7bcd54465da).`);
  }
  return id;
}
