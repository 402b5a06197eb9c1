/**
 * A pool of worker threads, each with its own engine and HED network, so a batch uses every core: onnx
 * workers share the cores out as intra-op threads (workers × threads = cores); tfjs-backend-wasm runs one
 * thread per forward pass in Node, so there it is one worker per core.
 * The checkpoint is resolved once here and its bytes shared with every worker (parsed once per worker).
 * A worker that crashes fails its job with `HED_WORKER_CRASHED` and is replaced.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { resolveEngineChoice, type HedEngineInfo } from '../engines/select-engine.js';
import { resolveWeights } from '../checkpoint/resolve-weights.js';
import { inputName } from '../edge-element.js';
import { normalizeDetectOptions } from '../hed/detector.js';
import type { EdgeElementOptions, LoadHedOptions, WeightsInfo } from '../hed.js';
import { EdgeError } from '../errors.js';
import { RunGate } from '../workers/run-gate.js';
import { builtWorkerEntry, workerExecArgv } from '../workers/worker-entry.js';
import { deserializeError } from '../workers/serialized-error.js';
import type { JobMessage, WorkerInit, WorkerMessage } from './pool-protocol.js';

/** Options of {@link createHedPool}. */
export interface HedPoolOptions extends LoadHedOptions {
  /**
   * Number of worker threads (default: one per core, `os.availableParallelism()` — for throughput; measured
   * on 2 cores with onnx (`pnpm bench:edge`): 2 workers × 1 thread 52–64 elements/min against 45–61 for 1 × 2,
   * at about 1.7× the memory. `planHedWorkers` gives the memory-frugal split `backdrop edge` uses).
   */
  size?: number;
  /**
   * onnx: intra-op threads per worker (default: the cores shared out, `⌊cores / size⌋`, at least 1), so
   * workers × threads fills the cores without oversubscribing them.
   */
  threads?: number;
}

/** A pool of HED workers with the same `edgeElement` as a single {@link Hed}. */
export interface HedPool {
  /** The engine the workers run (as reported by the first worker). */
  readonly backend: HedEngineInfo;
  /** Where the weights came from. */
  readonly weights: WeightsInfo;
  /** Number of workers. */
  readonly size: number;
  /** How many `edgeElement` calls to keep in flight to keep every worker busy (one per worker). */
  readonly parallelism: number;
  /** Edge element of a file or image bytes, run on the next free worker: an RGBA PNG. */
  edgeElement(input: string | Uint8Array, options?: EdgeElementOptions): Promise<Buffer>;
  /** Waits for queued jobs, then stops the workers. */
  close(): Promise<void>;
}

interface Job {
  message: JobMessage;
  options: EdgeElementOptions;
  resolve: (png: Buffer) => void;
  reject: (err: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Closed before the worker is stopped, so it is never stopped inside a native forward pass. */
  gate: RunGate;
  forgetAtExit: () => void;
  job?: Job;
  ready: boolean;
}

const WORKER_URL = builtWorkerEntry(new URL('./pool-worker.js', import.meta.url));

/**
 * Starts `size` workers and waits until each has loaded the network (so a bad checkpoint fails here,
 * once, with its own error code).
 */
export function createHedPool(options: HedPoolOptions = {}): Promise<HedPool> {
  return startHedPool(options, WORKER_URL);
}

/** @internal {@link createHedPool} with another worker entry (tests use a wrapper that can crash on demand). */
export async function startHedPool(options: HedPoolOptions, workerUrl: URL): Promise<HedPool> {
  const size = options.size ?? os.availableParallelism();
  if (!Number.isInteger(size) || size < 1) {
    throw new EdgeError('HED_OPTION_INVALID', `The pool size must be a positive integer, got ${String(options.size)}.`, { userError: true });
  }
  const cores = os.availableParallelism();
  const threads = options.threads ?? Math.max(1, Math.floor(cores / size));
  if (!Number.isInteger(threads) || threads < 1) {
    throw new EdgeError('HED_OPTION_INVALID', `threads must be a positive integer, got ${String(options.threads)}.`, { userError: true });
  }
  const { backend, size: _size, threads: _threads, ...resolveOptions } = options;
  const env = options.env ?? process.env;
  resolveEngineChoice(backend, env); // an unknown engine name fails before any download
  const resolved = await resolveWeights(resolveOptions);
  const shared = new SharedArrayBuffer(resolved.bytes.byteLength);
  new Uint8Array(shared).set(resolved.bytes);
  const init: Omit<WorkerInit, 'gate'> = {
    weights: shared,
    weightsSource: resolved.source,
    weightsPath: resolved.path,
    backend,
    env: { BACKDROP_HED_ENGINE: env.BACKDROP_HED_ENGINE, BACKDROP_TF_BACKEND: env.BACKDROP_TF_BACKEND },
    threads,
  };

  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closing = false;
  let info: { backend: HedEngineInfo; weights: WeightsInfo } | undefined;
  let drained: (() => void) | undefined;
  let closed: Promise<void> | undefined;

  const busy = (): boolean => queue.length > 0 || slots.some((s) => s.job);

  function dispatch(): void {
    for (const slot of slots) {
      if (!slot.ready || slot.job) continue;
      const job = queue.shift();
      if (!job) break;
      slot.job = job;
      slot.worker.postMessage(job.message);
    }
    if (!busy() && drained) drained();
  }

  /** A replacement worker could not start: drop it; with no worker left, fail what is queued. */
  function replacementFailed(slot: Slot, error: EdgeError): void {
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    void stopWorker(slot);
    if (!slots.some((s) => s.ready)) {
      for (const job of queue.splice(0, queue.length)) job.reject(error);
      dispatch();
    }
  }

  function stopWorker(slot: Slot): Promise<number> {
    slot.forgetAtExit();
    slot.gate.close();
    return slot.worker.terminate();
  }

  function spawn(onReady?: (err?: EdgeError) => void): Slot {
    const shared = RunGate.createShared();
    const worker = new Worker(workerUrl, { workerData: { ...init, gate: shared } satisfies WorkerInit, execArgv: workerExecArgv() });
    const gate = new RunGate(shared);
    const slot: Slot = { worker, gate, forgetAtExit: gate.closeAtExit(), ready: false };
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'ready') {
        slot.ready = true;
        info ??= { backend: msg.backend, weights: msg.weights };
        onReady?.();
        dispatch();
      } else if (msg.type === 'init-failed') {
        const error = deserializeError(msg.error);
        if (onReady) onReady(error);
        else replacementFailed(slot, error);
      } else if (msg.type === 'done' || msg.type === 'failed') {
        const job = slot.job;
        slot.job = undefined;
        if (job && job.message.id === msg.id) {
          if (msg.type === 'done') {
            for (const w of msg.warnings) job.options.onWarning?.(w);
            job.options.onTimings?.(msg.timings);
            job.resolve(Buffer.from(msg.png.buffer, msg.png.byteOffset, msg.png.byteLength));
          } else {
            job.reject(deserializeError(msg.error));
          }
        }
        dispatch();
      }
    });
    const onGone = (reason: string): void => {
      slot.forgetAtExit(); // a dead worker's gate may be stuck mid-run: nothing to wait for at exit
      const index = slots.indexOf(slot);
      if (index < 0) return; // already replaced or closed
      slots.splice(index, 1);
      const job = slot.job;
      slot.job = undefined;
      if (!slot.ready) {
        const error = new EdgeError('HED_WORKER_CRASHED', `A HED worker failed to start: ${reason}.`);
        if (onReady) onReady(error);
        else replacementFailed(slot, error);
        return;
      }
      if (job) {
        job.reject(new EdgeError('HED_WORKER_CRASHED', `The HED worker processing ${inputName(job.message.input)} crashed (${reason}); the job was not completed.`));
      }
      if (!closing) spawn(); // spawn() adds the new slot itself
      dispatch();
    };
    worker.on('error', (err) => onGone(err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => onGone(`exit code ${code}`));
    slots.push(slot);
    return slot;
  }

  const startups = Array.from(
    { length: size },
    () =>
      new Promise<void>((resolve, reject) => {
        spawn((err) => (err ? reject(err) : resolve()));
      }),
  );
  const terminateAll = async (): Promise<void> => {
    closing = true;
    const all = slots.splice(0, slots.length);
    await Promise.all(all.map(stopWorker));
  };
  try {
    await Promise.all(startups);
  } catch (err) {
    await terminateAll();
    throw err;
  }

  return {
    backend: info!.backend,
    weights: info!.weights,
    size,
    parallelism: size,
    async edgeElement(input, opts = {}) {
      if (closing) throw new EdgeError('HED_POOL_CLOSED', 'This HED pool is closed; create a new one.');
      const detect = normalizeDetectOptions(opts);
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({ message: { id: nextId++, input, options: detect }, options: opts, resolve, reject });
        dispatch();
      });
    },
    close() {
      // Every caller waits for the same drain (a second close() must not replace the first one's resolver).
      closed ??= (async () => {
        if (busy()) await new Promise<void>((resolve) => (drained = resolve));
        await terminateAll();
      })();
      return closed;
    },
  };
}
