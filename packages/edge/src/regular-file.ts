/**
 * The one place @backdrop/edge opens a file for reading: weights and images. A path that is not a regular
 * file once symlinks are resolved (a FIFO, `/dev/zero`, a socket, a directory) is refused at once instead of
 * hanging or reading without end, and a file larger than the caller's cap is refused before it is read.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Why a file could not be read; `reason` is a short phrase for the caller's message. */
export class FileReadProblem extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    /** `missing` (ENOENT/ENOTDIR), `not-regular`, `too-large` or `io`. */
    readonly kind: 'missing' | 'not-regular' | 'too-large' | 'io',
    cause?: unknown,
  ) {
    super(`${file}: ${reason}`, { cause });
    this.name = 'FileReadProblem';
  }
}

/** What a non-regular file is, for messages. */
function describeFileType(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a whole regular file of at most `maxBytes`. Opened with O_NONBLOCK so a FIFO never blocks the open;
 * the type is checked on the open descriptor (symlinks resolved, no race with a swapped path); the read
 * stops at `maxBytes + 1` whatever the file does meanwhile. Throws {@link FileReadProblem}.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileReadProblem(file, 'no such file', 'missing', err);
    if (code === 'EACCES' || code === 'EPERM') throw new FileReadProblem(file, 'permission denied', 'io', err);
    if (code === 'ENXIO') throw new FileReadProblem(file, 'it is a socket or a device without a reader, not a regular file', 'not-regular', err);
    throw new FileReadProblem(file, `it cannot be opened (${code ?? (err as Error).message})`, 'io', err);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileReadProblem(file, `it is ${describeFileType(st)}, not a regular file`, 'not-regular');
    if (st.size > maxBytes) throw new FileReadProblem(file, `it is ${st.size} bytes, more than the ${maxBytes} accepted`, 'too-large');
    let buf = Buffer.alloc(Math.min(st.size + 1, maxBytes + 1));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > maxBytes) throw new FileReadProblem(file, `it grew past the ${maxBytes} bytes accepted while being read`, 'too-large');
        const bigger = Buffer.alloc(Math.min(length * 2, maxBytes + 1));
        buf.copy(bigger);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, length, buf.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buf.subarray(0, length);
  } catch (err) {
    if (err instanceof FileReadProblem) throw err;
    throw new FileReadProblem(file, `reading it failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 'io', err);
  } finally {
    await handle.close();
  }
}
