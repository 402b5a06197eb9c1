/**
 * Base class of every error @backdrop/edge throws. Each subclass has a stable `code`;
 * `userError` marks problems the user can fix (bad input file, bad checkpoint, missing weights).
 */
export class EdgeError extends Error {
  /** Stable machine-readable code, e.g. `HED_CHECKPOINT_ARCHITECTURE`. */
  readonly code: string;
  /** True when the user's input or configuration is at fault (the CLI exits 2). */
  readonly userError: boolean;

  constructor(code: string, message: string, options: { userError?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.userError = options.userError ?? false;
  }
}
