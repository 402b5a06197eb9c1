import { FileReadProblem, readRegularFile } from '../regular-file.js';
import { CheckpointCorruptError, WeightsNotFoundError } from './checkpoint-errors.js';
import { MAX_CHECKPOINT_FILE_BYTES } from './checkpoint-limits.js';

/**
 * Reads a checkpoint file: a regular file (symlinks resolved) of at most {@link MAX_CHECKPOINT_FILE_BYTES}.
 * A FIFO, device or directory is `HED_WEIGHTS_NOT_FOUND` saying what it is, at once; a larger file is
 * `HED_CHECKPOINT_CORRUPT` before any of it is read. `origin` says where the path came from.
 */
export async function readCheckpointFile(file: string, origin: string): Promise<Buffer> {
  try {
    return await readRegularFile(file, MAX_CHECKPOINT_FILE_BYTES);
  } catch (err) {
    if (err instanceof FileReadProblem && err.kind === 'too-large') {
      throw new CheckpointCorruptError(file, `${err.reason}; ControlNetHED.pth is 29 MB and no HED checkpoint needs more than ${MAX_CHECKPOINT_FILE_BYTES / 1048576} MiB`, err);
    }
    const reason = err instanceof FileReadProblem ? err.reason : undefined;
    throw new WeightsNotFoundError(file, origin, err, reason);
  }
}
