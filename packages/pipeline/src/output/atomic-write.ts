import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { BatchError } from '../errors.js';

/**
 * A folder backdrop writes into is a symbolic link (`OUTPUT_SYMLINK`): refused, never followed, so a
 * link planted in an output folder cannot make backdrop write somewhere else.
 */
export class OutputSymlinkError extends BatchError {
  constructor(readonly path: string) {
    super('OUTPUT_SYMLINK', `${path} is a symbolic link; backdrop does not write through links in an output folder. Remove it (or choose another --out).`, { userError: true });
  }
}

/** Throws {@link OutputSymlinkError} when `dir` is a symbolic link (a missing `dir` is left to the caller). */
async function refuseSymlinkedFolder(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => undefined);
  if (info?.isSymbolicLink()) throw new OutputSymlinkError(dir);
}

/**
 * Writes `data` to `file` so that readers only ever see the old file or the whole new one:
 * `<name>.tmp-<pid>-<rand>` in the same folder, fsync, rename. Never through a link: the folder must
 * not be a symbolic link, the temporary file is created new (`O_EXCL | O_NOFOLLOW`), and the rename
 * replaces a link at `file` rather than writing where it points.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  await refuseSymlinkedFolder(path.dirname(file));
  const tmp = path.join(path.dirname(file), `${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
