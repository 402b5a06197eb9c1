/**
 * Picks the engine the HED network runs on and builds the network on it.
 *
 * The choice comes from the `backend` option (CLI `--backend`), else `BACKDROP_HED_ENGINE`, else the old
 * `BACKDROP_TF_BACKEND` (kept as an alias), else `auto`. `auto` tries, fastest first: `onnx`
 * (onnxruntime-node, native CPU kernels), `node` (tfjs-node), `wasm` (tfjs XNNPACK), `cpu` (plain JS),
 * and records why each faster one was passed over. A forced engine that cannot load is a user error.
 */
import { inferHedArchitecture } from '../checkpoint/hed-architecture.js';
import type { StateDict } from '../checkpoint/state-dict.js';
import { EdgeError } from '../errors.js';
import type { HedEngineChoice, HedEngineName, HedNetworkEngine } from './network-engine.js';
import { loadOnnxRuntime, onnxRuntimeVersion } from './onnx/load-onnxruntime.js';
import type { RunGate } from '../workers/run-gate.js';
import { releaseArrayBuffers } from './onnx/release-buffers.js';

/** Which engine runs, and why, for logs and benchmarks (`hed.backend`). */
export interface HedEngineInfo {
  /** The engine in use. */
  name: HedEngineName;
  /** onnx: intra-op threads per image; wasm: threads per forward pass (1 in Node). */
  threads?: number;
  /** wasm only: whether the SIMD build was loaded. */
  simd?: boolean;
  /** onnx only: the onnxruntime-node version. */
  version?: string;
  /** Why faster engines were passed over (empty when the first candidate loaded or one was forced). */
  skipped: string[];
  /** Where the choice came from: `--backend`, `BACKDROP_HED_ENGINE`, `BACKDROP_TF_BACKEND` or `auto`. */
  chosenBy: string;
  /** One line for the user, e.g. `HED engine: onnx (onnxruntime-node 1.30.0, 2 threads per image; auto)`. */
  summary: string;
}

const ENGINE_ORDER: readonly HedEngineName[] = ['onnx', 'node', 'wasm', 'cpu'];
const CHOICES: readonly HedEngineChoice[] = ['auto', ...ENGINE_ORDER];

/** Parses an engine choice from an option or environment variable; throws a user error for anything else. */
export function parseEngineChoice(value: string, origin: string): HedEngineChoice {
  const v = value.trim().toLowerCase();
  if ((CHOICES as readonly string[]).includes(v)) return v as HedEngineChoice;
  throw new EdgeError('HED_BACKEND_UNKNOWN', `Unknown HED engine "${value}" in ${origin}; use one of: ${CHOICES.join(', ')}.`, {
    userError: true,
  });
}

/** The engine asked for: option, else `BACKDROP_HED_ENGINE`, else `BACKDROP_TF_BACKEND`, else auto. */
export function resolveEngineChoice(requested: HedEngineChoice | undefined, env: NodeJS.ProcessEnv = process.env): { choice: HedEngineChoice; chosenBy: string } {
  if (requested !== undefined) return { choice: parseEngineChoice(requested, 'the backend option'), chosenBy: '--backend' };
  for (const name of ['BACKDROP_HED_ENGINE', 'BACKDROP_TF_BACKEND']) {
    const v = env[name]?.trim();
    if (v) return { choice: parseEngineChoice(v, name), chosenBy: name };
  }
  return { choice: 'auto', chosenBy: 'auto' };
}

/** The first line of the innermost reason (the tfjs layer wraps its load errors in an EdgeError). */
function firstLine(err: unknown): string {
  const inner = err instanceof EdgeError && err.cause !== undefined ? err.cause : err;
  const message = inner instanceof Error ? inner.message : String(inner);
  return message.split('\n')[0];
}

function summarize(info: Omit<HedEngineInfo, 'summary'>): string {
  const detail =
    info.name === 'onnx'
      ? `onnxruntime-node ${info.version ?? '?'}, ${info.threads} thread${info.threads === 1 ? '' : 's'} per image`
      : info.name === 'wasm'
        ? `TensorFlow.js wasm, ${info.simd ? 'SIMD' : 'no SIMD'}, ${info.threads ?? 1} thread per image`
        : info.name === 'node'
          ? 'TensorFlow.js tfjs-node'
          : 'TensorFlow.js plain JavaScript — slow';
  const skipped = info.skipped.length > 0 ? `; skipped ${info.skipped.join('; ')}` : '';
  return `HED engine: ${info.name} (${detail}; ${info.chosenBy === 'auto' ? 'auto' : `set by ${info.chosenBy}`}${skipped})`;
}

/** Options of {@link loadHedNetwork}. */
export interface LoadNetworkOptions {
  /** `auto` or an engine; undefined: `BACKDROP_HED_ENGINE`, `BACKDROP_TF_BACKEND`, then auto. */
  backend?: HedEngineChoice;
  /** Environment to read the variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** onnx: intra-op threads per image (default 1). */
  threads?: number;
  /**
   * The caller hands the state dict over: once the onnx session holds its own copy of the weights, the
   * tensors' memory is freed at once and the map emptied (TensorFlow.js engines keep their tensors anyway).
   */
  releaseStateDict?: boolean;
  /**
   * onnx: run the session on a worker thread of its own ({@link ThreadedOnnxHedNetwork}), so this thread
   * stays free during a forward pass. Off where the caller already is a worker (the pool's).
   */
  ownThread?: boolean;
  /** onnx on the caller's thread inside a worker: the gate its runs pass (see `RunGate`). */
  runGate?: RunGate;
}

async function loadOn(
  name: HedEngineName,
  sd: StateDict,
  options: LoadNetworkOptions & { threads: number },
): Promise<{ network: HedNetworkEngine; info: Pick<HedEngineInfo, 'threads' | 'simd' | 'version'> }> {
  if (name === 'onnx') {
    const { threads } = options;
    if (options.ownThread) {
      await loadOnnxRuntime(); // fails here, with its reason, where onnxruntime-node cannot run
      const { ThreadedOnnxHedNetwork } = await import('./onnx/threaded-onnx-network.js');
      return { network: await ThreadedOnnxHedNetwork.create(sd, { threads }), info: { threads, version: onnxRuntimeVersion() } };
    }
    const { OnnxHedNetwork } = await import('./onnx/onnx-network.js');
    const network = await OnnxHedNetwork.create(sd, { threads, runGate: options.runGate });
    return { network, info: { threads, version: onnxRuntimeVersion() } };
  }
  const { createTfjsNetwork } = await import('./tfjs/tfjs-network.js');
  const { network, backend } = await createTfjsNetwork(sd, name);
  return { network, info: { threads: backend.threads, simd: backend.simd } };
}

/**
 * Builds the HED network of a checkpoint on the chosen engine. A checkpoint of another model fails with
 * `HED_CHECKPOINT_ARCHITECTURE` before any engine is tried; a forced engine that cannot load fails with
 * `HED_BACKEND_UNAVAILABLE` (user error); `auto` falls through to the next engine.
 */
export async function loadHedNetwork(sd: StateDict, options: LoadNetworkOptions = {}): Promise<{ network: HedNetworkEngine; engine: HedEngineInfo }> {
  inferHedArchitecture(sd);
  const threads = options.threads ?? 1;
  const { choice, chosenBy } = resolveEngineChoice(options.backend, options.env);
  const candidates = choice === 'auto' ? ENGINE_ORDER : [choice];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      const { network, info } = await loadOn(name, sd, { ...options, threads });
      if (name === 'onnx' && options.releaseStateDict) {
        releaseArrayBuffers([...sd.values()].map((t) => t.data.buffer));
        sd.clear();
      }
      const base = { name, ...info, skipped, chosenBy };
      return { network, engine: { ...base, summary: summarize(base) } };
    } catch (err) {
      if (choice !== 'auto') {
        if (err instanceof EdgeError && err.code.startsWith('HED_BACKEND_')) throw err;
        throw new EdgeError(
          'HED_BACKEND_UNAVAILABLE',
          `The HED engine "${name}" could not be loaded (${firstLine(err)}). ` +
            (name === 'node'
              ? 'Install @tensorflow/tfjs-node with its native binary, or use --backend auto.'
              : 'Use --backend auto (or another engine), or reinstall @backdrop/edge.'),
          { userError: true, cause: err },
        );
      }
      skipped.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new EdgeError('HED_BACKEND_UNAVAILABLE', `No HED engine could be loaded (${skipped.join('; ')}).`);
}
