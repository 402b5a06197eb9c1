import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MISSING_RESULT_CODE, type TaskResult } from '@backdrop/api';
import { systemClock, type Clock } from '../clock/clock.js';
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

/**
 * A result entry: the task's own (`TaskResult`), or its URL as journaled (`''` for an image the service did
 * not make).
 */
export type ResultEntry = TaskResult | string;

/** An image a SUCCEEDED task did not deliver (`task_metrics.FAILED > 0`), with the service's code. */
export interface MissingResult {
  /** `result` for `results`, `plain` for `text_results.urls`. */
  kind: 'result' | 'plain';
  /** Position in the task's list (the file it would have been: `<kind>-<index>`). */
  index: number;
  code: string;
  message: string;
}

function urlOf(entry: ResultEntry): string {
  return (typeof entry === 'string' ? entry : entry.url) ?? '';
}

/**
 * The files of a finished task: `result-<i>` for `results`, `plain-<i>` for the untitled `text_results.urls`.
 * Entries without a URL (images the service failed to make) are left out; the others keep their position
 * as `<i>`, so `result-1.png` is always the task's second image.
 */
export function downloadPlan(results: readonly ResultEntry[], plain: readonly ResultEntry[]): DownloadPlan[] {
  const plan = (entries: readonly ResultEntry[], kind: string): DownloadPlan[] =>
    entries.flatMap((entry, i) => (urlOf(entry) === '' ? [] : [{ url: urlOf(entry), stem: `${kind}-${i}` }]));
  return [...plan(results, 'result'), ...plan(plain, 'plain')];
}

/** The entries without a URL, with the service's code and message (journaled `''` entries read as `ResultMissing`). */
export function missingResults(results: readonly ResultEntry[], plain: readonly ResultEntry[] = []): MissingResult[] {
  const missing = (entries: readonly ResultEntry[], kind: MissingResult['kind']): MissingResult[] =>
    entries.flatMap((entry, index) => {
      if (urlOf(entry) !== '') return [];
      const failure = typeof entry === 'string' ? undefined : entry;
      return [{ kind, index, code: failure?.code ?? MISSING_RESULT_CODE, message: failure?.message ?? 'The service returned no image for this position.' }];
    });
  return [...missing(results, 'result'), ...missing(plain, 'plain')];
}

/**
 * Downloads each planned URL into `dir` (temp name, fsync, rename), retrying network and 5xx failures,
 * and returns name, size and SHA-256 of each file for the journal.
 */
export async function downloadFiles(
  dir: string,
  plan: DownloadPlan[],
  options: { timeoutMs?: number; attempts?: number; signal?: AbortSignal; clock?: Clock } = {},
): Promise<JournalFile[]> {
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

async function fetchWithRetry(
  url: string,
  options: { timeoutMs?: number; attempts?: number; signal?: AbortSignal; clock?: Clock },
): Promise<{ bytes: Buffer; contentType: string }> {
  const attempts = options.attempts ?? 4;
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await (options.clock ?? systemClock).sleep(250 * 2 ** (i - 1), options.signal);
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
