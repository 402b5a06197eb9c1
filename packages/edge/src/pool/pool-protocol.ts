/**
 * Messages between the HED pool (main thread) and its workers.
 */
import type { HedEngineChoice } from '../engines/network-engine.js';
import type { HedEngineInfo } from '../engines/select-engine.js';
import type { EdgeElementTimings } from '../edge-element.js';
import type { DetectOptions } from '../hed/detector.js';
import type { WeightsInfo } from '../hed.js';
import type { ResolvedWeights } from '../checkpoint/resolve-weights.js';
import { EdgeError } from '../errors.js';

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
}

/** A job sent to a worker. */
export interface JobMessage {
  id: number;
  input: string | Uint8Array;
  options: DetectOptions;
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  code: string;
  message: string;
  userError: boolean;
}

/** Worker → pool. */
export type WorkerMessage =
  | { type: 'ready'; backend: HedEngineInfo; weights: WeightsInfo }
  | { type: 'init-failed'; error: SerializedError }
  | { type: 'done'; id: number; png: Uint8Array; warnings: string[]; timings: EdgeElementTimings }
  | { type: 'failed'; id: number; error: SerializedError };

/** Turns anything thrown into a message-safe error (EdgeErrors keep their code and userError). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EdgeError) return { code: err.code, message: err.message, userError: err.userError };
  const e = err as { code?: unknown; message?: unknown; userError?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'HED_INTERNAL',
    message: typeof e?.message === 'string' ? e.message : String(err),
    userError: e?.userError === true,
  };
}

/** The EdgeError a serialized error stands for. */
export function deserializeError(e: SerializedError): EdgeError {
  return new EdgeError(e.code, e.message, { userError: e.userError });
}
