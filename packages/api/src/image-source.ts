/**
 * Local image inputs: telling them apart from URLs, reading them, and naming them for upload
 * (content hash + extension, so an upload never collides with a different file).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputFileError } from './errors.js';
import { readInputFile } from './input-file.js';

/** A URL the service fetches itself, or a local file (path, `file://` URL or bytes). */
export type ImageInput = string | Uint8Array;

const REMOTE_URL = /^(https?|oss):\/\//i;

/** True for inputs the service can fetch (`http(s)://`, `oss://`); false for local files and bytes. */
export function isRemoteUrl(input: ImageInput): boolean {
  return typeof input === 'string' && REMOTE_URL.test(input);
}

/** Bytes of a local input, with a name and MIME type. */
export interface LocalImage {
  bytes: Uint8Array;
  sha256: string;
  contentType: string;
  /** Unique upload name: first 32 hex digits of the SHA-256 plus the extension. */
  fileName: string;
  /** Where it came from, for messages (a path, or `<buffer>`). */
  label: string;
}

const EXTENSION_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
};

/** Recognises PNG, JPEG, WebP, GIF and BMP by their first bytes. */
export function sniffImageType(bytes: Uint8Array): { contentType: string; extension: string } | undefined {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return { contentType: 'image/png', extension: '.png' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { contentType: 'image/jpeg', extension: '.jpg' };
  if (b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WEBP')
    return { contentType: 'image/webp', extension: '.webp' };
  if (b.length >= 6 && String.fromCharCode(...b.subarray(0, 4)) === 'GIF8') return { contentType: 'image/gif', extension: '.gif' };
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return { contentType: 'image/bmp', extension: '.bmp' };
  return undefined;
}

/** Reads a local input (path, `file://` URL or bytes). `fileName` hints the extension for bytes. */
export async function readLocalImage(input: ImageInput, hints: { fileName?: string; contentType?: string } = {}): Promise<LocalImage> {
  let bytes: Uint8Array;
  let label: string;
  let originalName = hints.fileName;
  if (typeof input === 'string') {
    if (isRemoteUrl(input)) throw new InputFileError('InputFile', `${input} is already a URL; only local files are uploaded.`, { userError: true });
    const filePath = input.startsWith('file://') ? fileURLToPath(input) : input;
    label = filePath;
    originalName ??= path.basename(filePath);
    // Regular files only (a FIFO or /dev/zero would hang or never end), at most the service's upload limit.
    bytes = await readInputFile(filePath);
  } else {
    bytes = input;
    label = '<buffer>';
  }
  if (bytes.length === 0) throw new InputFileError('InputFile', `Image ${label} is empty (0 bytes).`, { userError: true });
  const sniffed = sniffImageType(bytes);
  const nameExt = originalName ? path.extname(originalName).toLowerCase() : '';
  const extension = sniffed?.extension ?? (/^\.[a-z0-9]{1,8}$/.test(nameExt) ? nameExt : '.bin');
  const contentType = hints.contentType ?? sniffed?.contentType ?? EXTENSION_TYPES[nameExt] ?? 'application/octet-stream';
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, contentType, fileName: sha256.slice(0, 32) + extension, label };
}
