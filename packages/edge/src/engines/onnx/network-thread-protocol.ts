/**
 * Messages between a {@link ThreadedOnnxHedNetwork} and its worker thread (`network-thread.ts`).
 */
import type { HedArchitecture } from '../../checkpoint/hed-architecture.js';
import type { ImageU8 } from '../../image/image-buffer.js';
import type { SerializedError } from '../../workers/serialized-error.js';
import type { HedProjections } from '../network-engine.js';

/** `workerData` of the network thread. */
export interface NetworkThreadInit {
  /** The ONNX model bytes (transferred: the thread owns them). */
  model: Uint8Array;
  architecture: HedArchitecture;
  /** Intra-op threads of the session. */
  threads: number;
  /** The {@link RunGate}'s shared memory. */
  gate: SharedArrayBuffer;
}

/** One forward pass asked of the thread. */
export interface ProjectRequest {
  id: number;
  rgb: ImageU8;
}

/** Thread → owner. */
export type NetworkThreadMessage =
  | { type: 'ready' }
  | { type: 'init-failed'; error: SerializedError }
  | { type: 'projected'; id: number; projections: HedProjections }
  | { type: 'failed'; id: number; error: SerializedError };
