import { createHash } from 'node:crypto';
import { createHedPool, loadHed, parseHedCheckpoint, resolveWeights, type HedEngineChoice, type HedEngineInfo, type WeightsInfo } from '@backdrop/edge';
import type { EdgeMaker } from '../stages/prepare.js';

/** Options of {@link openHedEdgeMaker}. */
export interface HedEdgeMakerOptions {
  /** Checkpoint path; default `BACKDROP_HED_WEIGHTS`, the cache, then a Hugging Face download. */
  weights?: string;
  /** Worker threads (default 1: HED runs in this thread). */
  workers?: number;
  /** HED engine (`--backend`); default `BACKDROP_HED_ENGINE`, else auto. */
  backend?: HedEngineChoice;
  /** Called once, when the network is first needed and loaded (`engine.summary` is one line for the user). */
  onLoaded?: (weights: WeightsInfo, resolvedPath: string | undefined, engine: HedEngineInfo) => void;
}

/** An {@link EdgeMaker} backed by `@backdrop/edge`, plus `close()`. */
export interface HedEdgeMaker extends EdgeMaker {
  close(): Promise<void>;
}

/**
 * An edge maker for `runBatch` using HED. The checkpoint is resolved and parsed now, so unusable weights
 * fail before anything is sent (its SHA-256 keys the edge cache, so other weights never reuse stale edge
 * elements); the network is loaded only when a cut-out
 * actually needs it — a resumed batch whose edge elements are cached never loads it.
 */
export async function openHedEdgeMaker(options: HedEdgeMakerOptions = {}): Promise<HedEdgeMaker> {
  const resolved = await resolveWeights(options.weights !== undefined ? { weights: options.weights } : {});
  // Parsed (and checked against the HED architecture) now, not when the first cut-out needs the network:
  // unusable weights must stop a run before anything is sent, even its items that need no HED.
  parseHedCheckpoint(resolved.bytes, resolved.path ?? options.weights);
  const cacheKey = `hed-softedge-512-512:${createHash('sha256').update(resolved.bytes).digest('hex')}`;
  type Runner = { edgeElement(b: Uint8Array): Promise<Buffer>; close(): Promise<void> };
  let loading: Promise<Runner> | undefined;
  const load = (): Promise<Runner> =>
    (loading ??= (async () => {
      const workers = options.workers ?? 1;
      if (workers > 1) {
        const pool = await createHedPool({ weights: resolved.bytes, size: workers, backend: options.backend });
        options.onLoaded?.(pool.weights, resolved.path, pool.backend);
        return { edgeElement: (b) => pool.edgeElement(b), close: () => pool.close() };
      }
      const hed = await loadHed({ weights: resolved.bytes, backend: options.backend });
      options.onLoaded?.(hed.weights, resolved.path, hed.backend);
      return { edgeElement: (b) => hed.edgeElement(b), close: async () => hed.dispose() };
    })());
  return {
    cacheKey,
    // A pool: one cut-out per worker. One network: two, so one cut-out's decoding, resizing and encoding run
    // while the network works on the other's (onnx runs it on a thread of its own; see `Hed.parallelism`).
    concurrency: Math.max(2, options.workers ?? 1),
    edgeElement: async (input) => (await load()).edgeElement(input),
    close: async () => {
      if (loading) await (await loading).close();
    },
  };
}
