/**
 * Errors @backdrop/pipeline throws. Each has a stable `code`; `userError` marks problems the user
 * can fix (bad manifest, bad options), which the CLI reports with exit code 2.
 */
export class BatchError extends Error {
  /** Stable machine-readable code, e.g. `BATCH_INVALID_INPUT`. */
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

/** One problem with the batch input, located by manifest line (1-based) or file. */
export interface InputProblem {
  /** Manifest line number (1-based), or the item's position in a folder / iterable. */
  line: number;
  /** The file the problem is about when the input is a folder (then named instead of `<input>:<line>`). */
  file?: string;
  /** Item id when it is known. */
  id?: string;
  /** Field or path at fault, e.g. `foreground[0].cutout`. */
  field?: string;
  /** Stable code, e.g. `unknown_key`, `duplicate_id`, `file_missing`, `not_rgba_png`. */
  code: string;
  message: string;
}

/** The batch input has problems; nothing was uploaded or submitted. Lists every problem found. */
export class InvalidBatchInputError extends BatchError {
  readonly problems: InputProblem[];
  readonly source: string;

  constructor(source: string, problems: InputProblem[]) {
    const shown = problems.slice(0, 50).map((p) => `  ${formatProblem(source, p)}`);
    const more = problems.length > 50 ? [`  … and ${problems.length - 50} more`] : [];
    super(
      'BATCH_INVALID_INPUT',
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${source}; nothing was submitted. ` + `Fix them and run again:\n${[...shown, ...more].join('\n')}`,
      { userError: true },
    );
    this.problems = problems;
    this.source = source;
  }
}

/** `source:line: [id] field: message (code)` */
export function formatProblem(source: string, p: InputProblem): string {
  const where = p.file ?? `${source}:${p.line}`;
  const id = p.id !== undefined ? ` [${p.id}]` : '';
  const field = p.field ? ` ${p.field}:` : '';
  return `${where}:${id}${field} ${p.message} (${p.code})`;
}

/** Another backdrop process holds the submit lock of this API key. */
export class KeyLockHeldError extends BatchError {
  readonly holderPid: number;
  constructor(fingerprint: string, holderPid: number, lockFile: string) {
    super(
      'BATCH_KEY_LOCKED',
      `another backdrop process (pid ${holderPid}) is submitting with API key ${fingerprint}; ` +
        `the account allows one running task, so two runs on one key would only slow each other. ` +
        `Wait for it to finish, or pass --wait-for-lock to queue behind it (lock file: ${lockFile}).`,
      { userError: true },
    );
    this.holderPid = holderPid;
  }
}

/** Another backdrop run (pid `holderPid`) works on the same output folder. */
export class OutputFolderLockedError extends BatchError {
  readonly holderPid: number;
  constructor(out: string, holderPid: number) {
    super(
      'OUT_LOCKED',
      `another backdrop run (pid ${holderPid}) is working on ${out}; two runs on one output folder would pay for its items twice. ` +
        `Wait for it to finish, pass --wait-for-lock to queue behind it, or choose another --out.`,
      { userError: true },
    );
    this.holderPid = holderPid;
  }
}

/** A bad option value (programmatic or CLI). */
export class BatchConfigError extends BatchError {
  constructor(message: string) {
    super('BATCH_CONFIG', message, { userError: true });
  }
}

/** The results of a finished task are no longer available (result URLs live 24 h, tasks about 24 h). */
export class ResultExpiredError extends BatchError {
  constructor(
    readonly itemId: string,
    readonly taskId: string,
    /** Why the results count as expired. */
    readonly detail: string,
  ) {
    super('ResultExpired', `item ${itemId}: the results of task ${taskId} have expired (${detail}); run the batch again to ` + `generate this item anew (a new, paid task).`);
  }
}
