/**
 * The one place @backdrop/api (and the pipeline, through it) opens a local input file for reading. A path
 * that is not a regular file once symlinks are resolved — a FIFO, `/dev/zero`, a socket, a directory — is
 * refused at once with a one-line message naming it, instead of hanging or reading without end; a file over
 * the size cap is refused before it is read.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { InputFileError } from './errors.js';

/**
 * Largest local input read: the service's own upload limit (`max_file_size_mb` is 1024 in the recorded upload
 * policy), since nothing larger could be sent anyway.
 */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024 * 1024;

/** Why an input file cannot be read: `missing`, `not-regular`, `too-large` or `io`. */
export type InputFileProblem = 'missing' | 'not-regular' | 'too-large' | 'io';

/** An input file that cannot be read (`InputFile`, a user error); `problem` says which kind. */
export class InputFileUnreadableError extends InputFileError {
  constructor(
    readonly file: string,
    readonly problem: InputFileProblem,
    readonly reason: string,
    cause?: unknown,
  ) {
    super('InputFile', `Cannot read ${file}: ${reason}.${problem === 'not-regular' ? ' Give a regular file.' : problem === 'missing' ? ' Check the path.' : ''}`, {
      userError: true,
    });
    if (cause !== undefined) Object.defineProperty(this, 'cause', { value: cause, enumerable: false });
  }
}

type StatLike = { isFile(): boolean; isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; size: number };

function kindOf(s: StatLike): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

function openProblem(file: string, err: unknown): InputFileUnreadableError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputFileUnreadableError(file, 'missing', 'no such file', err);
  if (code === 'EACCES' || code === 'EPERM') return new InputFileUnreadableError(file, 'io', 'permission denied', err);
  if (code === 'ENXIO') return new InputFileUnreadableError(file, 'not-regular', 'it is a socket or device, not a regular file', err);
  return new InputFileUnreadableError(file, 'io', `it cannot be opened (${code ?? (err as Error).message})`, err);
}

function checkStat(file: string, s: StatLike, maxBytes: number, allowDirectory = false): void {
  if (allowDirectory && s.isDirectory()) return;
  if (!s.isFile()) throw new InputFileUnreadableError(file, 'not-regular', `it is ${kindOf(s)}, not a regular file`);
  if (s.size > maxBytes) throw new InputFileUnreadableError(file, 'too-large', `it is ${s.size} bytes, more than the ${maxBytes} accepted`);
}

/**
 * Checks, without opening it, that `file` (symlinks resolved) is a regular file of at most `maxBytes`
 * (or a directory when `allowDirectory`). For inputs read by other libraries by path (a manifest stream).
 */
export async function checkInputFile(file: string, options: { maxBytes?: number; allowDirectory?: boolean } = {}): Promise<{ isDirectory: boolean }> {
  const s = await stat(file).catch((err: unknown) => {
    throw openProblem(file, err);
  });
  checkStat(file, s, options.maxBytes ?? MAX_INPUT_FILE_BYTES, options.allowDirectory);
  return { isDirectory: s.isDirectory() };
}

/**
 * Reads a whole local input: a regular file (symlinks resolved) of at most `maxBytes` (default
 * {@link MAX_INPUT_FILE_BYTES}). Opened with O_NONBLOCK so a FIFO never blocks the open; the type is checked on
 * the open descriptor; the read stops past `maxBytes` whatever the file does meanwhile.
 * Throws {@link InputFileUnreadableError}.
 */
export async function readInputFile(file: string, maxBytes = MAX_INPUT_FILE_BYTES): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: unknown) => {
    throw openProblem(file, err);
  });
  try {
    const st = await handle.stat();
    checkStat(file, st, maxBytes);
    let buf = Buffer.alloc(Math.min(st.size + 1, maxBytes + 1));
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > maxBytes) throw new InputFileUnreadableError(file, 'too-large', `it grew past the ${maxBytes} bytes accepted while being read`);
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
    if (err instanceof InputFileUnreadableError) throw err;
    throw new InputFileUnreadableError(file, 'io', `reading it failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  } finally {
    await handle.close();
  }
}
