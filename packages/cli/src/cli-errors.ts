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

/**
 * The service answered a call with an error (bad key, refused parameter, throttling, server failure).
 * Keeps the service's `code` and message; exits 1, because the command ran and the service said no —
 * exit 2 is kept for mistakes caught before anything was sent.
 */
class ServiceCallError extends CliError {
  readonly exitCode = 1;
  readonly status: number;
  readonly requestId: string | undefined;
  constructor(code: string, message: string, status: number, requestId: string | undefined, cause: unknown) {
    super(code, message, { cause });
    this.name = 'ServiceCallError';
    this.status = status;
    this.requestId = requestId;
  }
}

/** Wraps an error that carries an HTTP status from the service in a `ServiceCallError`; others pass through. */
export function asServiceCallError(err: unknown): unknown {
  const e = err as { code?: unknown; message?: unknown; status?: unknown; requestId?: unknown };
  if (err instanceof Error && typeof e.status === 'number' && typeof e.code === 'string' && !(err instanceof CliError)) {
    return new ServiceCallError(e.code, err.message, e.status, typeof e.requestId === 'string' ? e.requestId : undefined, err);
  }
  return err;
}
