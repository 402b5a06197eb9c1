/**
 * `loadHed`: resolve the weights, parse the checkpoint, pick the engine and build the network once;
 * then make any number of edge elements with it.
 */
import os from 'node:os';
import { parseHedCheckpoint } from './checkpoint/load-checkpoint.js';
import { resolveWeights, type ResolvedWeights, type ResolveWeightsOptions } from './checkpoint/resolve-weights.js';
import { edgeElementFromDecoded, edgeElementFromInput, emptyTimings, type EdgeElementResult, type EdgeElementTimings } from './edge-element.js';
import type { HedEngineChoice, HedNetworkEngine } from './engines/network-engine.js';
import { loadHedNetwork, resolveEngineChoice, type HedEngineInfo } from './engines/select-engine.js';
import { detectEdgeMap, type DetectOptions } from './hed/detector.js';
import type { DecodedRgba } from './image/decode-rgba.js';
import type { ImageU8 } from './image/image-buffer.js';

/** Options of {@link loadHed}. */
export interface LoadHedOptions extends Omit<ResolveWeightsOptions, 'weights'> {
  /** Checkpoint path or bytes; when absent: `BACKDROP_HED_WEIGHTS`, the cache, then a Hugging Face download. */
  weights?: string | Uint8Array;
  /**
   * Engine of the network: `auto` (onnx → tfjs-node → wasm → cpu, the first that loads) or one of them;
   * default `BACKDROP_HED_ENGINE`, else `BACKDROP_TF_BACKEND` (older name), else `auto`.
   */
  backend?: HedEngineChoice;
  /** onnx: threads per image (default: every core, `os.availableParallelism()`). */
  threads?: number;
}

/** Options of one edge element. */
export interface EdgeElementOptions extends DetectOptions {
  /** Called with each warning (e.g. the input has no alpha channel). */
  onWarning?: (message: string) => void;
  /** Called with the time spent per step (for benchmarks). */
  onTimings?: (timings: EdgeElementTimings) => void;
}

/** Where the weights came from, for the user. */
export interface WeightsInfo {
  source: ResolvedWeights['source'];
  path?: string;
  bytes: number;
  /** Channels per block, e.g. [64, 128, 256, 512, 512] for the real ControlNetHED. */
  channels: number[];
  /** True when the checkpoint is not the published ControlNetHED size (e.g. a tiny test checkpoint). */
  nonStandard: boolean;
}

const STANDARD_CHANNELS = [64, 128, 256, 512, 512];

/** A loaded HED edge detector running on this thread; for batches on every core use `createHedPool`. */
export interface Hed {
  /** The engine in use, and why (`backend.summary` is one line for the user). */
  readonly backend: HedEngineInfo;
  /** Where the weights came from. */
  readonly weights: WeightsInfo;
  /**
   * How many `edgeElement` calls to keep in flight to keep the network busy: 2 when it runs on a thread
   * of its own (onnx: one image in the network while the next is decoded and resized and the last one
   * encoded), else 1. More only queue.
   */
  readonly parallelism: number;
  /** Edge element of a PNG/JPEG/WebP file or its bytes: an RGBA PNG (edge map in RGB, the input's alpha in A). */
  edgeElement(input: string | Uint8Array, options?: EdgeElementOptions): Promise<Buffer>;
  /** Same for an already decoded RGBA image; returns the PNG with its size and warnings. */
  edgeElementFromImage(image: DecodedRgba, options?: DetectOptions, timings?: EdgeElementTimings): Promise<EdgeElementResult>;
  /** The raw HEDdetector map (single channel, at the image-resolution size) of an RGB image. */
  detect(rgb: ImageU8, options?: DetectOptions): Promise<ImageU8>;
  /** Frees the network's tensors. */
  dispose(): void;
  /** Same as {@link Hed.dispose}, for code that treats a Hed and a HedPool alike. */
  close(): Promise<void>;
}

/** Describes the checkpoint for the user. */
export function describeWeights(resolved: Pick<ResolvedWeights, 'source' | 'path' | 'bytes'>, network: Pick<HedNetworkEngine, 'architecture'>): WeightsInfo {
  const channels = network.architecture.blocks.map((b) => b.convs[b.convs.length - 1].outChannels);
  return {
    source: resolved.source,
    path: resolved.path,
    bytes: resolved.bytes.byteLength,
    channels,
    nonStandard: channels.some((c, i) => c !== STANDARD_CHANNELS[i]),
  };
}

/** Builds a {@link Hed} around a loaded network. */
function hedFromNetwork(network: HedNetworkEngine, backend: HedEngineInfo, weights: WeightsInfo): Hed {
  return {
    backend,
    weights,
    parallelism: network.offThread ? 2 : 1,
    async edgeElement(input, options = {}) {
      const timings = emptyTimings();
      const result = await edgeElementFromInput(network, input, options, timings);
      for (const w of result.warnings) options.onWarning?.(w);
      options.onTimings?.(timings);
      return result.png;
    },
    edgeElementFromImage(image, options = {}, timings) {
      return edgeElementFromDecoded(network, image, options, 'the input image', timings);
    },
    detect(rgb, options = {}) {
      return detectEdgeMap(network, rgb, options);
    },
    dispose() {
      network.dispose();
    },
    async close() {
      network.dispose();
    },
  };
}

/**
 * Loads the HED network once: `const hed = await loadHed({ weights: 'ControlNetHED.pth' })`, then
 * `await hed.edgeElement('cutout.png')` as often as needed, then `hed.dispose()`.
 */
export async function loadHed(options: LoadHedOptions = {}): Promise<Hed> {
  const { backend: requested, threads, ...resolveOptions } = options;
  resolveEngineChoice(requested, options.env); // an unknown engine name fails before any download
  const resolved = await resolveWeights(resolveOptions);
  // The parsed tensors live only in this call: once the engine holds its own copy they can be collected.
  const { network, engine } = await loadHedNetwork(parseHedCheckpoint(resolved.bytes, resolved.path), {
    backend: requested,
    env: options.env,
    threads: threads ?? os.availableParallelism(),
    releaseStateDict: true,
    ownThread: true,
  });
  return hedFromNetwork(network, engine, describeWeights(resolved, network));
}
