/**
 * The one seam between the HED recipe and the engine that runs the network: everything before (resize
 * for detection) and after (combine, safe step, scribble, resize back, alpha) is shared code; an engine
 * only turns an RGB image into the five side outputs.
 */
import type { HedArchitecture } from '../checkpoint/hed-architecture.js';
import type { ImageF32, ImageU8 } from '../image/image-buffer.js';

/** An engine that runs the HED network: `onnx` (onnxruntime-node) or a TensorFlow.js backend. */
export type HedEngineName = 'onnx' | 'node' | 'wasm' | 'cpu';

/** What `--backend` / `BACKDROP_HED_ENGINE` accept: an engine, or `auto` (the fastest that loads). */
export type HedEngineChoice = HedEngineName | 'auto';

/** The five side outputs of one forward pass, p1 (full detection size) first, single-channel float32. */
export type HedProjections = ImageF32[];

/** A loaded HED network on some engine: create once, `project` many times, then `dispose`. */
export interface HedNetworkEngine {
  /** Channel layout found in the checkpoint. */
  readonly architecture: HedArchitecture;
  /**
   * Runs the network on an RGB image (3 channels, 0..255) and returns p1..p5 at their own sizes
   * (H, ⌊H/2⌋, … as max-pooling floors).
   */
  project(rgb: ImageU8): Promise<HedProjections>;
  /**
   * True when forward passes run on another thread than the caller's: the steps around the network of one
   * image can then run while the network works on another.
   */
  readonly offThread?: boolean;
  /** Frees the engine's memory (weights, session). */
  dispose(): void;
}
