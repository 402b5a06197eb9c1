/**
 * Downloads a submit's inputs before the submit is answered, like the service's up-front checks:
 * http(s) URLs with a time and size limit, `oss://` keys from the upload store (same key and model only).
 */
import { DOWNLOAD_FAILED_MESSAGE, ServiceError, invalidParameter } from './errors.js';
import type { UploadStore } from './upload-store.js';

/** Largest input the emulator downloads. */
const MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** Who is asking, and from where inputs may come. */
export interface InputSource {
  /** API-key fingerprint of the submitting account. */
  key: string;
  model: string;
  now: number;
  uploads: UploadStore;
  timeoutMs: number;
}

/** True for the error {@link fetchInput} throws when it cannot get an input's bytes. */
export function isDownloadFailure(error: unknown): error is ServiceError {
  return error instanceof ServiceError && error.message.startsWith(DOWNLOAD_FAILED_MESSAGE);
}

function downloadFailed(path: string, reason: string): ServiceError {
  return invalidParameter(`${DOWNLOAD_FAILED_MESSAGE} (${path}: ${reason})`);
}

async function readLimited(response: Response, path: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_INPUT_BYTES) throw downloadFailed(path, `larger than ${MAX_INPUT_BYTES} bytes`);
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_INPUT_BYTES) throw downloadFailed(path, `larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The bytes behind `url`, or a 400 "Failed to download multimodal content" naming the input. */
export async function fetchInput(url: string, path: string, source: InputSource): Promise<Buffer> {
  if (/^oss:\/\//i.test(url)) {
    const bytes = source.uploads.resolve(url, source.key, source.model, source.now);
    if (!bytes) throw downloadFailed(path, 'no such uploaded file for this API key and model, or it has expired');
    return bytes;
  }
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(source.timeoutMs), redirect: 'follow' });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${source.timeoutMs} ms` : 'cannot connect';
    throw downloadFailed(path, reason);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw downloadFailed(path, `HTTP ${response.status}`);
  }
  try {
    return await readLimited(response, path);
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw downloadFailed(path, 'connection broken during download');
  }
}
