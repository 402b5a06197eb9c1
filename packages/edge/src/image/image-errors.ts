/**
 * Errors of image decoding and encoding. All input problems are user errors: the message names the file
 * and says what to do.
 */
import { EdgeError } from '../errors.js';

/** The input file does not exist (`IMAGE_NOT_FOUND`). */
export class ImageNotFoundError extends EdgeError {
  constructor(
    readonly path: string,
    cause?: unknown,
  ) {
    super('IMAGE_NOT_FOUND', `Image file ${path} does not exist; check the path (relative paths are resolved from the current directory).`, {
      userError: true,
      cause,
    });
  }
}

/** The input cannot be decoded: not an image, truncated or damaged, or not a file (`IMAGE_UNREADABLE`). */
export class ImageUnreadableError extends EdgeError {
  constructor(
    readonly source: string,
    detail: string,
    cause?: unknown,
  ) {
    super('IMAGE_UNREADABLE', `${source} could not be read as an image (${detail}). Use a complete PNG (RGBA cut-out), JPEG or WebP file; re-export it if it is damaged.`, {
      userError: true,
      cause,
    });
  }
}

/** The input is an image in a colour model the recipe does not define, e.g. CMYK (`IMAGE_UNSUPPORTED`). */
export class ImageUnsupportedError extends EdgeError {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super('IMAGE_UNSUPPORTED', `${source} is ${detail}; convert it to an RGB or RGBA PNG first.`, { userError: true });
  }
}

/** Encoding a result image failed (`IMAGE_ENCODE_FAILED`); not the user's fault. */
export class ImageEncodeError extends EdgeError {
  constructor(detail: string, cause?: unknown) {
    super('IMAGE_ENCODE_FAILED', `Could not encode the PNG output (${detail}).`, { cause });
  }
}
