/** Checks a task id given on the command line before it is put into a URL. */
import { CliUsageError } from './cli-errors.js';

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
