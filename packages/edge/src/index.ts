/**
 * @backdrop/edge — HED soft-edge "edge elements" for wanx-background-generation-v2, computed locally:
 * a TensorFlow.js port of controlnet-aux 0.0.7 `softedge_hed` that matches the Python reference pixel
 * for pixel (within float32 convolution rounding).
 *
 * ```ts
 * const hed = await loadHed({ weights: 'ControlNetHED.pth' });
 * const png = await hed.edgeElement('cutout.png');          // RGBA PNG Buffer
 * hed.dispose();
 * ```
 * For batches use {@link createHedPool} (one worker thread per core).
 */
export { EdgeError } from './errors.js';
export { type HedEngineName, type HedEngineChoice, type HedProjections } from './engines/network-engine.js';
export { type HedEngineInfo, parseEngineChoice } from './engines/select-engine.js';
/** Older names of {@link HedEngineInfo} and {@link HedEngineChoice}. */
export type { HedEngineInfo as BackendInfo } from './engines/select-engine.js';
export type { HedEngineChoice as BackendName } from './engines/network-engine.js';
export { loadHed, type Hed, type LoadHedOptions, type EdgeElementOptions, type WeightsInfo } from './hed.js';
export { createHedPool, type HedPool, type HedPoolOptions } from './pool/hed-pool.js';
export { planHedWorkers, type HedWorkerPlan } from './engines/worker-plan.js';
export { type EdgeMode, type DetectOptions } from './hed/detector.js';
export { type EdgeElementResult, type EdgeElementTimings } from './edge-element.js';
export { decodeRgba, type DecodedRgba } from './image/decode-rgba.js';
export { encodeRgbaPng } from './image/encode-png.js';
export { type ImageU8 } from './image/image-buffer.js';
export { resolveWeights, HED_WEIGHTS_FILE, type ResolveWeightsOptions, type ResolvedWeights } from './checkpoint/resolve-weights.js';
export { loadCheckpoint, parseCheckpoint, parseHedCheckpoint, type ParseCheckpointOptions } from './checkpoint/load-checkpoint.js';
export { inferHedArchitecture, type HedArchitecture } from './checkpoint/hed-architecture.js';
export { writeSafetensors } from './checkpoint/write-safetensors.js';
export { type StateDict, type TensorData } from './checkpoint/state-dict.js';
export { CheckpointCorruptError, CheckpointUnsafeError, CheckpointArchitectureError, WeightsNotFoundError, WeightsUnavailableError } from './checkpoint/checkpoint-errors.js';
export { ImageNotFoundError, ImageUnreadableError, ImageUnsupportedError, ImageEncodeError } from './image/image-errors.js';
