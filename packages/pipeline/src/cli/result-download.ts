/**
 * Downloads a result image right away (result URLs expire after 24 h), retrying transient failures
 * (network errors, timeouts, HTTP 408/429/5xx) with backoff, and names the file's extension after
 * the response's content type (falling back to the URL's extension).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './cli-errors.js';
import { writeFileAtomic } from './atomic-file.js';

/** How a download retries. */
export interface DownloadOptions {
  /** Extra attempts after the first (default 4). */
  retries?: number;
  /** Per-attempt timeout in ms (default 60 000). */
  timeoutMs?: number;
  /** Delay before the first retry in ms, doubled each time (default 500). */
  backoffMs?: number;
  signal?: AbortSignal;
}

/** A result saved to disk. */
export interface DownloadedFile {
  file: string;
  url: string;
  bytes: number;
  contentType: string;
}

/** A result that could not be fetched; `status` is the last HTTP status, if any. */
export class ResultDownloadError extends CliError {
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super('RESULT_DOWNLOAD_FAILED', message, options);
    this.name = 'ResultDownloadError';
  }
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'image/webp': 'webp',
};

/** `png`, `jpg` or `webp` from a content type, else from the URL path, else `png`. */
export function resultExtension(contentType: string | null, url: string): string {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (EXTENSION_BY_TYPE[type]) return EXTENSION_BY_TYPE[type];
  let pathname = url;
  try {
    pathname = new URL(url).pathname;
  } catch {
    /* not a URL: use as-is */
  }
  const ext = /\.([a-z0-9]+)$/i.exec(pathname)?.[1]?.toLowerCase();
  if (ext === 'jpeg' || ext === 'jpg') return 'jpg';
  if (ext === 'png' || ext === 'webp') return ext;
  return 'png';
}

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Strips the query (signatures) from a URL for messages. */
function shortUrl(url: string): string {
  return url.split('?')[0];
}

/**
 * Fetches `url` and writes it atomically to `<stem>.<ext>`. Throws `ResultDownloadError` after the
 * retries are spent or at once on a non-transient HTTP status (e.g. 403 for an expired URL).
 */
export async function downloadResult(url: string, stem: string, options: DownloadOptions = {}): Promise<DownloadedFile> {
  const retries = options.retries ?? 4;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let delay = options.backoffMs ?? 500;
  let lastError: unknown;
  let lastStatus: number | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    options.signal?.throwIfAborted();
    let waitMs = delay;
    try {
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      const response = await fetch(url, { signal: AbortSignal.any(signals) });
      if (response.ok) {
        const body = new Uint8Array(await response.arrayBuffer());
        const contentType = response.headers.get('content-type') ?? '';
        const file = `${stem}.${resultExtension(contentType, url)}`;
        await writeFileAtomic(file, body);
        return { file, url, bytes: body.byteLength, contentType };
      }
      lastStatus = response.status;
      await response.body?.cancel().catch(() => {});
      if (!isTransientStatus(response.status)) {
        const hint =
          response.status === 403 || response.status === 404
            ? ' Result URLs live 24 h; if the task is older, generate again.'
            : '';
        throw new ResultDownloadError(
          `Could not download ${shortUrl(url)}: HTTP ${response.status}.${hint}`,
          url,
          response.status,
        );
      }
      waitMs = retryAfterMs(response.headers.get('retry-after')) ?? delay;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (err) {
      if (err instanceof ResultDownloadError) throw err;
      if (options.signal?.aborted) throw err;
      lastError = err;
    }
    if (attempt < retries) {
      await sleep(Math.min(waitMs, 30_000), undefined, { signal: options.signal });
      delay *= 2;
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ResultDownloadError(
    `Could not download ${shortUrl(url)} after ${retries + 1} attempts (${reason}). ` +
      'Check the network and retry soon: result URLs live 24 h.',
    url,
    lastStatus,
    { cause: lastError },
  );
}
