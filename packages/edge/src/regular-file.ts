/**
 * How @backdrop/edge opens a file for reading (weights and images): through `@backdrop/api`'s
 * `readInputFile`, the workspace's one reader of local input files — a path that is not a regular file once
 * symlinks are resolved (a FIFO, `/dev/zero`, a socket, a directory) is refused at once instead of hanging or
 * reading without end, and a file larger than the caller's cap is refused before it is read. Problems come
 * back as {@link FileReadProblem}, which edge's own error classes wrap.
 */
import { InputFileUnreadableError, readInputFile, type InputFileProblem } from '@backdrop/api';

/** Why a file could not be read; `reason` is a short phrase for the caller's message. */
export class FileReadProblem extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** `missing` (ENOENT/ENOTDIR), `not-regular`, `too-large` or `io`. */
    readonly kind: InputFileProblem,
    cause?: unknown,
  ) {
    super(`${file}: ${reason}`, { cause });
    this.name = 'FileReadProblem';
  }
}

/** Reads a whole regular file of at most `maxBytes`. Throws {@link FileReadProblem}. */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  try {
    return await readInputFile(file, maxBytes);
  } catch (err) {
    if (err instanceof InputFileUnreadableError) throw new FileReadProblem(file, err.reason, err.problem, err);
    throw err;
  }
}
