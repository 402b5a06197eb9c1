import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Progress of a download; `totalBytes` is absent when the server sends no Content-Length. */
export interface DownloadProgress {
  receivedBytes: number;
  totalBytes?: number;
}

export interface DownloadOptions {
  url: string;
  /** Final location; the file appears there only complete and verified. */
  destination: string;
  fetchImpl: typeof fetch;
  onProgress?: (p: DownloadProgress) => void;
  /** Abort when no data arrives for this long. */
  stallTimeoutMs: number;
  /** Largest download accepted: a longer body (or Content-Length) is abandoned, never held in memory. */
  maxBytes?: number;
  /** Throws when the downloaded bytes are not acceptable; runs before the rename. */
  verify: (bytes: Uint8Array) => void;
}

/**
 * Downloads `url` into `<destination>.tmp-<pid>-<rand>` next to the destination, checks the length, fsyncs,
 * verifies, then renames atomically into place. On any failure the temp file is removed and the error rethrown.
 * @returns the downloaded bytes.
 */
export async function downloadAtomically(o: DownloadOptions): Promise<Uint8Array> {
  await mkdir(path.dirname(o.destination), { recursive: true });
  const temp = `${o.destination}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const abort = new AbortController();
  let stallTimer: NodeJS.Timeout | undefined;
  const armStallTimer = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => abort.abort(new Error(`no data for ${o.stallTimeoutMs / 1000} s`)), o.stallTimeoutMs);
  };
  const file = await open(temp, 'wx');
  let closed = false;
  try {
    armStallTimer();
    const res = await o.fetchImpl(o.url, { signal: abort.signal, redirect: 'follow' });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    if (!res.body) throw new Error('the response has no body');
    const lengthHeader = res.headers.get('content-length');
    const totalBytes = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    const tooLarge = (n: number): Error => new Error(`the server sends ${n} bytes or more, more than the ${o.maxBytes} a checkpoint may have`);
    if (o.maxBytes !== undefined && totalBytes !== undefined && totalBytes > o.maxBytes) throw tooLarge(totalBytes);
    const chunks: Uint8Array[] = [];
    let receivedBytes = 0;
    o.onProgress?.({ receivedBytes, totalBytes });
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      armStallTimer();
      if (o.maxBytes !== undefined && receivedBytes + chunk.length > o.maxBytes) throw tooLarge(receivedBytes + chunk.length);
      await file.write(chunk);
      chunks.push(chunk);
      receivedBytes += chunk.length;
      o.onProgress?.({ receivedBytes, totalBytes });
    }
    if (totalBytes !== undefined && receivedBytes !== totalBytes) {
      throw new Error(`the connection ended after ${receivedBytes} of ${totalBytes} bytes`);
    }
    await file.sync();
    await file.close();
    closed = true;
    const bytes = Buffer.concat(chunks);
    o.verify(bytes);
    await rename(temp, o.destination);
    return bytes;
  } catch (e) {
    if (!closed) await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason : e;
  } finally {
    clearTimeout(stallTimer);
  }
}
