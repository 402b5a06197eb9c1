/**
 * Errors raised by the CLI itself (not by the service or a library). Each carries a stable `code`;
 * `CliUsageError` marks the user's mistake, so `report-error.ts` exits 2 and prints no stack.
 */

/** A CLI failure that is not the user's mistake (exit 1). */
export class CliError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}

/** Bad input or configuration: nothing was done (exit 2). */
export class CliUsageError extends CliError {
  readonly userError = true;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CliUsageError';
  }
}
