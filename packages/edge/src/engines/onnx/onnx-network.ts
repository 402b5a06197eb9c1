/**
 * The HED network on onnxruntime-node: the ONNX graph is written from the loaded checkpoint
 * (`buildHedOnnxModel`), one InferenceSession per network with a chosen number of intra-op threads.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { inferHedArchitecture, type HedArchitecture } from '../../checkpoint/hed-architecture.js';
import type { StateDict } from '../../checkpoint/state-dict.js';
import type { ImageU8 } from '../../image/image-buffer.js';
import { EdgeError } from '../../errors.js';
import type { HedNetworkEngine, HedProjections } from '../network-engine.js';
import { buildHedOnnxModel, HED_ONNX_INPUT, HED_ONNX_OUTPUTS } from './hed-onnx-graph.js';
import { loadOnnxRuntime, type OnnxRuntime } from './load-onnxruntime.js';
import { releaseArrayBuffers } from './release-buffers.js';
import type { RunGate } from '../../workers/run-gate.js';

/** Options of {@link OnnxHedNetwork.create}. */
export interface OnnxNetworkOptions {
  /** Intra-op threads of the session (one forward pass); default 1. */
  threads?: number;
  /** In a worker thread: the gate every run passes, so the thread is never stopped inside one. */
  runGate?: RunGate;
}

/**
 * The execution providers a session is created with. GPU providers (CUDA, DirectML, CoreML) would be
 * chosen here — with their own availability check and fallback to 'cpu' — and nowhere else; only the CPU
 * provider ships with every onnxruntime-node binary, so only it is used.
 */
function executionProviders(): InferenceSession.SessionOptions['executionProviders'] {
  return ['cpu'];
}

/**
 * The session options of every HED network (`scripts/bench-onnx-options.mjs` measures the choices below
 * against their alternatives: `pnpm bench:onnx-options`).
 * @internal exported for that script
 */
export function hedSessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: executionProviders(),
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // `pnpm bench:onnx-options` (2 cores, 8 passes at 768×512, 512×512 and 512×704, full-size checkpoint):
    // onnxruntime's arena, which keeps activation memory between passes, against plain malloc/free: ~8 % less
    // CPU (system time faulting fresh pages in 1.5 s → 0.15 s) and a ~95 MB lower peak, since freed
    // activations are reused instead of fragmenting the heap. The memory pattern on top of it (one block
    // planned per input shape) peaked ~220 MB higher. Intra-op spinning stays onnxruntime's default (on):
    // turning it off made lone passes ~7 % slower and `backdrop edge` no faster.
    enableCpuMemArena: true,
    enableMemPattern: false,
    logSeverityLevel: 3,
  };
}

function checkThreads(value: number | undefined): number {
  const threads = value ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new EdgeError('HED_OPTION_INVALID', `threads must be a positive integer, got ${String(value)}.`, { userError: true });
  }
  return threads;
}

/** A loaded HED network running on onnxruntime-node, on the calling thread. */
export class OnnxHedNetwork implements HedNetworkEngine {
  private disposed = false;

  private constructor(
    readonly architecture: HedArchitecture,
    private readonly ort: OnnxRuntime,
    private readonly session: InferenceSession,
    /** Intra-op threads of the session. */
    readonly threads: number,
    private readonly runGate: RunGate | undefined,
  ) {}

  /** Writes the graph from the state dict and creates the session; the state dict may be freed afterwards. */
  static async create(sd: StateDict, options: OnnxNetworkOptions = {}): Promise<OnnxHedNetwork> {
    checkThreads(options.threads);
    return OnnxHedNetwork.fromModel(buildHedOnnxModel(sd), inferHedArchitecture(sd), options);
  }

  /** Creates the session from model bytes written by `buildHedOnnxModel` (their buffer is released afterwards). */
  static async fromModel(model: Uint8Array, architecture: HedArchitecture, options: OnnxNetworkOptions = {}): Promise<OnnxHedNetwork> {
    const threads = checkThreads(options.threads);
    const ort = await loadOnnxRuntime();
    const session = await ort.InferenceSession.create(model, hedSessionOptions(threads));
    releaseArrayBuffers([model.buffer]); // the session has parsed its own copy
    return new OnnxHedNetwork(architecture, ort, session, threads, options.runGate);
  }

  async project(rgb: ImageU8): Promise<HedProjections> {
    if (this.disposed) throw new EdgeError('HED_DISPOSED', 'This HED network was disposed; load it again.');
    if (rgb.channels !== 3) throw new EdgeError('HED_INPUT_CHANNELS', `The network needs a 3-channel RGB image, got ${rgb.channels} channels.`);
    const { width, height, data } = rgb;
    const plane = width * height;
    // HWC uint8 → CHW float32 (exact: every byte value is a float32).
    const chw = new Float32Array(3 * plane);
    for (let i = 0, s = 0; i < plane; i++, s += 3) {
      chw[i] = data[s];
      chw[plane + i] = data[s + 1];
      chw[2 * plane + i] = data[s + 2];
    }
    const input = new this.ort.Tensor('float32', chw, [1, 3, height, width]);
    const run = () => this.session.run({ [HED_ONNX_INPUT]: input });
    const outputs = this.runGate ? await this.runGate.run(run) : await run();
    if (!outputs) throw new EdgeError('HED_DISPOSED', 'This HED network is shutting down; load it again.');
    return HED_ONNX_OUTPUTS.map((name) => {
      const t = outputs[name];
      const [, , ph, pw] = t.dims;
      const values = t.data as Float32Array;
      t.dispose();
      return { data: values, width: pw, height: ph, channels: 1 };
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.session.release();
  }
}
