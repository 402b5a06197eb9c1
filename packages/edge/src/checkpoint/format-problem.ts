/**
 * Internal signal from the format readers: what is wrong, without the file name.
 * `parseCheckpoint` turns it into the public `CheckpointCorruptError` / `CheckpointUnsafeError`.
 */
export class FormatProblem extends Error {
  constructor(
    readonly kind: 'corrupt' | 'unsafe',
    readonly detail: string,
    /** For `unsafe`: the refused global or feature. */
    readonly offender = '',
  ) {
    super(detail);
    this.name = 'FormatProblem';
  }
}

/** Throws a `corrupt` FormatProblem. */
export function corrupt(detail: string): never {
  throw new FormatProblem('corrupt', detail);
}

/** Throws an `unsafe` FormatProblem naming the offender. */
export function unsafe(offender: string, detail: string): never {
  throw new FormatProblem('unsafe', detail, offender);
}
