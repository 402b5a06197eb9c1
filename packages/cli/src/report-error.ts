/**
 * Turns any error into one line on stderr and an exit code.
 * Convention across backdrop: user-facing errors carry a stable string `code`; errors that are the
 * user's doing (bad input, bad configuration) carry `exitCode = 2` or `userError = true`.
 * A stack trace is printed only with BACKDROP_DEBUG=1, and never for a user mistake. Success exits 0.
 */
import { demoWeightsHint, MISSING_WEIGHTS_CODES } from './hed-weights-note.js';
/** Some work failed (service error, failed task, some batch items failed). */
const EXIT_FAILED = 1;
/** Bad input or configuration: nothing was done. */
const EXIT_USAGE = 2;

interface CodedError {
  code?: unknown;
  message?: unknown;
  exitCode?: unknown;
  userError?: unknown;
  stack?: unknown;
}

/** The exit code an error maps to. */
export function exitCodeFor(err: unknown): number {
  const e = (err ?? {}) as CodedError;
  if (typeof e.exitCode === 'number') return e.exitCode;
  if (e.userError === true) return EXIT_USAGE;
  return EXIT_FAILED;
}

/** One line describing the error: `backdrop: [CODE] message`. */
export function formatError(err: unknown): string {
  const e = (err ?? {}) as CodedError;
  const code = typeof e.code === 'string' && e.code ? `[${e.code}] ` : '';
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  const hint = typeof e.code === 'string' && MISSING_WEIGHTS_CODES.has(e.code) ? demoWeightsHint() : '';
  return `backdrop: ${code}${message}${hint}`;
}

/** Print the error as one line (plus a stack with BACKDROP_DEBUG=1) and exit. */
export function reportErrorAndExit(err: unknown): never {
  process.stderr.write(formatError(err) + '\n');
  if (process.env.BACKDROP_DEBUG === '1' && err instanceof Error && err.stack) {
    process.stderr.write(err.stack + '\n');
  }
  process.exit(exitCodeFor(err));
}
