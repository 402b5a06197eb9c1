import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchError } from '../errors.js';
import { sha256Hex } from '../cache/content-hash.js';
import { writeFileAtomic } from '../output/atomic-write.js';
import type { JournalFile } from '../journal/journal-entry.js';

/** A result image could not be downloaded. */
export class DownloadError extends BatchError {
  readonly httpStatus: number | undefined;
  constructor(message: string, httpStatus?: number) {
    super('DownloadFailed', message);
    this.httpStatus = httpStatus;
  }
}

/** One file to fetch into the item's folder. */
export interface DownloadPlan {
  url: string;
  /** File name without extension, e.g. `result-0`. */
  stem: string;
}

/** The files of a finished task: `result-<i>` for `results`, `plain-<i>` for the untitled `text_results.urls`. */
export function downloadPlan(results: string[], plain: string[]): DownloadPlan[] {
  return [...results.map((url, i) => ({ url, stem: `result-${i}` })), ...plain.map((url, i) => ({ url, stem: `plain-${i}` }))];
}

/**
 * Downloads each planned URL into `dir` (temp name, fsync, rename), retrying network and 5xx failures,
 * and returns name, size and SHA-256 of each file for the journal.
 */
export async function downloadFiles(dir: string, plan: DownloadPlan[], options: { timeoutMs?: number; attempts?: number; signal?: AbortSignal } = {}): Promise<JournalFile[]> {
  await mkdir(dir, { recursive: true });
  const files: JournalFile[] = [];
  for (const p of plan) {
    const { bytes, contentType } = await fetchWithRetry(p.url, options);
    const name = `${p.stem}.${extensionFor(p.url, contentType)}`;
    await writeFileAtomic(path.join(dir, name), bytes);
    files.push({ name, size: bytes.length, sha256: sha256Hex(bytes) });
  }
  return files;
}

/** True when every file is on disk with the recorded size and hash. */
export async function filesIntact(dir: string, files: JournalFile[]): Promise<boolean> {
  for (const f of files) {
    const p = path.join(dir, f.name);
    const st = await stat(p).catch(() => undefined);
    if (!st || st.size !== f.size) return false;
    if (sha256Hex(await readFile(p)) !== f.sha256) return false;
  }
  return true;
}

async function fetchWithRetry(url: string, options: { timeoutMs?: number; attempts?: number; signal?: AbortSignal }): Promise<{ bytes: Buffer; contentType: string }> {
  const attempts = options.attempts ?? 4;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep(250 * 2 ** (i - 1), undefined, options.signal ? { signal: options.signal } : undefined);
    try {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 60_000), ...(options.signal ? [options.signal] : [])];
      const res = await fetch(url, { signal: AbortSignal.any(signals) });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        const err = new DownloadError(`downloading ${redactQuery(url)} failed with HTTP ${res.status}`, res.status);
        if (res.status < 500 && res.status !== 429) throw err;
        last = err;
        continue;
      }
      return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? '' };
    } catch (err) {
      if (err instanceof DownloadError && err.httpStatus !== undefined && err.httpStatus < 500 && err.httpStatus !== 429) throw err;
      if (options.signal?.aborted) throw err;
      last = err;
    }
  }
  if (last instanceof DownloadError) throw last;
  throw new DownloadError(`downloading ${redactQuery(url)} failed: ${(last as Error)?.message ?? String(last)}`);
}

/** The file extension for a download: from the content type received, else from the URL, else `png`. */
function extensionFor(url: string, contentType: string): string {
  if (/image\/png/i.test(contentType)) return 'png';
  if (/image\/jpe?g/i.test(contentType)) return 'jpg';
  if (/image\/webp/i.test(contentType)) return 'webp';
  let ext = '';
  try {
    ext = path.extname(new URL(url).pathname).slice(1).toLowerCase();
  } catch {
    /* not a URL we can parse */
  }
  if (['png', 'jpg', 'jpeg', 'webp'].includes(ext)) return ext === 'jpeg' ? 'jpg' : ext;
  return 'png';
}

/** Result URLs are signed; their query strings are credentials of a sort and stay out of messages. */
function redactQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q) + '?…';
}
