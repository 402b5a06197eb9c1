import path from 'node:path';
import { CheckpointArchitectureError, CheckpointCorruptError, CheckpointUnsafeError, WeightsNotFoundError, WeightsUnavailableError } from './checkpoint-errors.js';
import { MAX_CHECKPOINT_FILE_BYTES } from './checkpoint-limits.js';
import { parseHedCheckpoint } from './load-checkpoint.js';
import { readCheckpointFile } from './read-checkpoint-file.js';
import { downloadAtomically, type DownloadProgress } from './weights-download.js';
import { HED_WEIGHTS_ENV, HED_WEIGHTS_FILE, defaultWeightsCacheDir, hedWeightsUrl } from './weights-locations.js';

export { HED_WEIGHTS_FILE } from './weights-locations.js';

/** Where to look for the HED weights; see {@link resolveWeights}. */
export interface ResolveWeightsOptions {
  /** An explicit checkpoint: a file path (`--weights`) or its bytes. Wins over everything else. */
  weights?: string | Uint8Array;
  /** Environment to read `BACKDROP_HED_WEIGHTS`, `XDG_CACHE_HOME`, `HOME`, `HF_ENDPOINT`, `HF_HUB_OFFLINE` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Cache folder (default `$XDG_CACHE_HOME/backdrop` or `~/.cache/backdrop`). */
  cacheDir?: string;
  /** Download when nothing else is found (default true; `HF_HUB_OFFLINE=1` also disables it). */
  download?: boolean;
  /** Called as download data arrives. */
  onProgress?: (p: DownloadProgress) => void;
  /** `fetch` to download with (default the global one). */
  fetchImpl?: typeof fetch;
  /** Give up a download when no data arrives for this long (default 60 s). */
  stallTimeoutMs?: number;
}

/** The weights found and where they came from. */
export interface ResolvedWeights {
  source: 'explicit' | 'env' | 'cache' | 'download';
  /** Absolute path of the file read or written (absent for explicit bytes). */
  path?: string;
  bytes: Uint8Array;
}

function readWeightsFile(file: string, origin: string): Promise<Uint8Array> {
  return readCheckpointFile(file, origin);
}

/**
 * Finds the ControlNetHED weights: explicit `weights` → `BACKDROP_HED_WEIGHTS` → the cache file
 * (`<cacheDir>/ControlNetHED.pth`) → a download from Hugging Face `lllyasviel/Annotators`
 * (`HF_ENDPOINT` respected), verified as a HED checkpoint and renamed atomically into the cache.
 * Throws `HED_WEIGHTS_NOT_FOUND` for an explicit or env path that cannot be read, and
 * `HED_WEIGHTS_UNAVAILABLE` (saying where to put the file) when nothing is found and the download fails.
 * Does not parse explicit, env or cached files: `parseCheckpoint` does, naming the path.
 */
export async function resolveWeights(opts: ResolveWeightsOptions = {}): Promise<ResolvedWeights> {
  const env = opts.env ?? process.env;
  if (opts.weights !== undefined) {
    if (typeof opts.weights !== 'string') return { source: 'explicit', bytes: opts.weights };
    const file = path.resolve(opts.weights);
    return { source: 'explicit', path: file, bytes: await readWeightsFile(file, 'given as --weights / the weights option') };
  }
  const fromEnv = env[HED_WEIGHTS_ENV];
  if (fromEnv) {
    const file = path.resolve(fromEnv);
    return { source: 'env', path: file, bytes: await readWeightsFile(file, `from ${HED_WEIGHTS_ENV}`) };
  }

  const cachePath = path.resolve(opts.cacheDir ?? defaultWeightsCacheDir(env), HED_WEIGHTS_FILE);
  try {
    return { source: 'cache', path: cachePath, bytes: await readCheckpointFile(cachePath, 'the weights cache') };
  } catch (e) {
    const missing = e instanceof WeightsNotFoundError && (e.cause as { kind?: string } | undefined)?.kind === 'missing';
    if (!missing) throw e;
  }

  const url = hedWeightsUrl(env);
  const offline = env.HF_HUB_OFFLINE && !['0', 'false', ''].includes(env.HF_HUB_OFFLINE.toLowerCase());
  if (opts.download === false || offline) {
    const why = offline ? 'HF_HUB_OFFLINE is set' : 'downloading is disabled';
    throw new WeightsUnavailableError(cachePath, `they are not in the cache and ${why}`, url);
  }
  try {
    const bytes = await downloadAtomically({
      url,
      destination: cachePath,
      fetchImpl: opts.fetchImpl ?? fetch,
      onProgress: opts.onProgress,
      stallTimeoutMs: opts.stallTimeoutMs ?? 60_000,
      maxBytes: MAX_CHECKPOINT_FILE_BYTES,
      verify: (data) => void parseHedCheckpoint(data, url),
    });
    return { source: 'download', path: cachePath, bytes };
  } catch (e) {
    const reason = isCheckpointError(e) ? `the file downloaded from ${url} is not a usable HED checkpoint (${e.detail})` : `downloading ${url} failed (${describeFetchError(e)})`;
    throw new WeightsUnavailableError(cachePath, reason, url, e);
  }
}

function isCheckpointError(e: unknown): e is CheckpointCorruptError | CheckpointUnsafeError | CheckpointArchitectureError {
  return e instanceof CheckpointCorruptError || e instanceof CheckpointUnsafeError || e instanceof CheckpointArchitectureError;
}

/** Node's fetch hides the socket error in `cause`: show both. */
function describeFetchError(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  const causeText = cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}`.replace(/\s+/g, ' ').trimEnd() : '';
  return `${err?.message ?? String(e)}${causeText}`;
}
