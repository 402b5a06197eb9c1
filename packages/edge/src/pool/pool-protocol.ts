/**
 * Messages between the HED pool (main thread) and its workers.
 */
import type { HedEngineChoice } from '../engines/network-engine.js';
import type { HedEngineInfo } from '../engines/select-engine.js';
import type { EdgeElementTimings } from '../edge-element.js';
import type { DetectOptions } from '../hed/detector.js';
import type { WeightsInfo } from '../hed.js';
import type { ResolvedWeights } from '../checkpoint/resolve-weights.js';
import type { SerializedError } from '../workers/serialized-error.js';

/** `workerData` of a pool worker. */
export interface WorkerInit {
  /** The checkpoint bytes, shared by every worker (parsed once per worker). */
  weights: SharedArrayBuffer;
  weightsSource: ResolvedWeights['source'];
  weightsPath?: string;
  backend?: HedEngineChoice;
  /** `BACKDROP_HED_ENGINE` and `BACKDROP_TF_BACKEND` as the main thread saw them. */
  env: { BACKDROP_HED_ENGINE?: string; BACKDROP_TF_BACKEND?: string };
  /** onnx: intra-op threads of this worker's session. */
  threads: number;
  /** The worker's {@link RunGate} (shared memory), closed by the pool before it stops the worker. */
  gate: SharedArrayBuffer;
}

/** A job sent to a worker. */
export interface JobMessage {
  id: number;
  input: string | Uint8Array;
  options: DetectOptions;
}

/** Worker → pool. */
export type WorkerMessage =
  | { type: 'ready'; backend: HedEngineInfo; weights: WeightsInfo }
  | { type: 'init-failed'; error: SerializedError }
  | { type: 'done'; id: number; png: Uint8Array; warnings: string[]; timings: EdgeElementTimings }
  | { type: 'failed'; id: number; error: SerializedError };
