import { statSync } from 'node:fs';
import path from 'node:path';
import type { BatchClient } from '../batch-client.js';
import type { UploadCache } from '../cache/upload-cache.js';
import type { ResolvedUrls } from '../request-builder.js';
import type { RecordedUpload } from '../output/task-record.js';
import type { PreparedInput } from './prepare.js';

/** Where `uploadInputs` remembers uploads: the run's `UploadCache`, or any store with the same `get`/`put`. */
export type UploadUrlCache = Pick<UploadCache, 'get' | 'put'>;

/** The URLs of an item's inputs, and which of them came from the upload cache (uploaded in an earlier run or by an earlier item). */
export interface UploadedInputs {
  urls: ResolvedUrls;
  reused: { sha256: string; url: string }[];
  /** Each local input and its URL (for `task.json`). */
  uploads: RecordedUpload[];
}

/**
 * Turns an item's prepared inputs into URLs for one account: URLs pass through, local files are
 * uploaded (`oss://`) unless the upload cache has this content for this account and model. The upload
 * cache is the one memo of uploads: the client's own is bypassed (`reuse: false`), so content the cache
 * forgot (the service lost it) is really uploaded again.
 */
export async function uploadInputs(inputs: PreparedInput[], lane: { fingerprint: string; client: BatchClient }, model: string, cache: UploadUrlCache): Promise<UploadedInputs> {
  const urls: ResolvedUrls = {};
  const reused: UploadedInputs['reused'] = [];
  const uploads: RecordedUpload[] = [];
  const recordUpload = (field: string, file: string, sha256: string, url: string): void => {
    // Named as in the item: `base`, `ref`, `foreground[0].edge` (an element's uploaded file is its edge element).
    uploads.push({ field: /^(foreground|background)\[\d+\]$/.test(field) ? `${field}.edge` : field, path: file, url, bytes: statSync(file).size, sha256 });
  };
  for (const input of inputs) {
    if ('url' in input) {
      urls[input.field] = input.url;
      continue;
    }
    const cached = cache.get(lane.fingerprint, model, input.sha256);
    if (cached) {
      urls[input.field] = cached;
      reused.push({ sha256: input.sha256, url: cached });
      recordUpload(input.field, input.file, input.sha256, cached);
      continue;
    }
    urls[input.field] = await uploadOnce(cache, lane, model, input.file, input.sha256);
    recordUpload(input.field, input.file, input.sha256, urls[input.field]);
  }
  return { urls, reused, uploads };
}

/** Uploads in progress per cache, by account, model and content: items sharing a file share one upload. */
const inProgress = new WeakMap<UploadUrlCache, Map<string, Promise<string>>>();

async function uploadOnce(cache: UploadUrlCache, lane: { fingerprint: string; client: BatchClient }, model: string, file: string, sha256: string): Promise<string> {
  let running = inProgress.get(cache);
  if (!running) inProgress.set(cache, (running = new Map()));
  const key = `${lane.fingerprint}\0${model}\0${sha256}`;
  const shared = running.get(key);
  if (shared) return shared;
  const job = (async () => {
    const up = await lane.client.files.upload(file, { model, fileName: uploadName(file, sha256), reuse: false });
    const expiresAt = up.expiresAt instanceof Date ? up.expiresAt.getTime() : typeof up.expiresAt === 'number' ? up.expiresAt : Date.parse(up.expiresAt);
    cache.put(lane.fingerprint, model, sha256, up.url, Number.isFinite(expiresAt) ? expiresAt : Date.now() + 47 * 3600_000);
    return up.url;
  })();
  running.set(key, job);
  try {
    return await job;
  } finally {
    running.delete(key);
  }
}

/** Content-addressed upload names: the same content never collides with other content. */
function uploadName(file: string, sha256: string): string {
  const ext = path.extname(file).toLowerCase() || '.png';
  return `${sha256.slice(0, 16)}${ext}`;
}
