/**
 * The memory-frugal split of the cores for a run of HED elements (what `backdrop edge` uses by default),
 * without oversubscribing them.
 *
 * onnx: one network with every core as intra-op threads, on a thread of its own with two inputs in flight
 * (`Hed.parallelism`), so the JavaScript steps around the network overlap the next pass. A second
 * concurrent pass would double the activation memory: measured on 2 cores with the full-size checkpoint,
 * 8 inputs of 600×400, 42–47 elements/min at ~600 MB this way against 45–50 at ~1040 MB for 2 workers ×
 * 1 thread — `createHedPool` defaults to that split, for throughput.
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
