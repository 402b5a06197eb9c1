/**
 * How many workers × threads per worker fill the cores for a batch of HED elements, without
 * oversubscribing them.
 *
 * onnx: one network with every core as intra-op threads. A second concurrent pass doubles the activation
 * memory (≈ 300 MB per 768×512 pass with the full-size checkpoint; two passes put `backdrop edge` over 1 GB),
 * while onnxruntime's threads already keep the cores busy during the network, which is most of an element.
 * TensorFlow.js (wasm/cpu/node in Node): one thread per pass, so one worker per core.
 */
import os from 'node:os';
import type { HedEngineChoice } from './network-engine.js';
import { loadOnnxRuntime } from './onnx/load-onnxruntime.js';
import { resolveEngineChoice } from './select-engine.js';

/** Workers and intra-op threads per worker. */
export interface HedWorkerPlan {
  workers: number;
  threadsPerWorker: number;
}

/**
 * The default split of `cores` for the engine that `backend` (or the environment, or auto) resolves to.
 * For auto this loads onnxruntime-node to see whether it runs here (cheap, and needed anyway).
 */
export async function planHedWorkers(
  options: { backend?: HedEngineChoice; env?: NodeJS.ProcessEnv; cores?: number } = {},
): Promise<HedWorkerPlan> {
  const cores = options.cores ?? os.availableParallelism();
  const { choice } = resolveEngineChoice(options.backend, options.env);
  const onnx = choice === 'onnx' || (choice === 'auto' && (await loadOnnxRuntime().then(() => true, () => false)));
  return onnx ? { workers: 1, threadsPerWorker: cores } : { workers: cores, threadsPerWorker: 1 };
}
