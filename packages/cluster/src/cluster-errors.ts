/** Errors of `@backdrop/cluster`: a stable `code`, a message that says what to do, `userError` for the user's mistakes. */
export class ClusterError extends Error {
  readonly code: string;
  readonly userError: boolean;
  constructor(code: string, message: string, options: { userError?: boolean; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.userError = options.userError === true;
  }
}

/** A bad option (Redis URL, keys, concurrency): the user's mistake. */
export class ClusterConfigError extends ClusterError {
  constructor(code: string, message: string) {
    super(code, message, { userError: true });
  }
}

/** An item that cannot be done (the service refused it, its task failed for good, its submit cannot be reconciled). */
export class ItemFailedError extends ClusterError {}
