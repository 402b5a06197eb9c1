/**
 * The memory-frugal split of the cores for a run of HED elements (what `backdrop edge` uses by default),
 * without oversubscribing them.
 *
 * onnx: one network with every core as intra-op threads. A second concurrent pass doubles the activation
 * memory (≈ 300 MB per 768×512 pass with the full-size checkpoint; 2 workers put `backdrop edge` on 4
 * inputs at ~1 GB against ~620 MB), for ~30 % more elements per minute on 2 cores (the JavaScript steps
 * around the network run on one core at a time in one process) — `createHedPool` defaults to that faster split.
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
export async function planHedWorkers(options: { backend?: HedEngineChoice; env?: NodeJS.ProcessEnv; cores?: number } = {}): Promise<HedWorkerPlan> {
  const cores = options.cores ?? os.availableParallelism();
  const { choice } = resolveEngineChoice(options.backend, options.env);
  const onnx =
    choice === 'onnx' ||
    (choice === 'auto' &&
      (await loadOnnxRuntime().then(
        () => true,
        () => false,
      )));
  return onnx ? { workers: 1, threadsPerWorker: cores } : { workers: cores, threadsPerWorker: 1 };
}
