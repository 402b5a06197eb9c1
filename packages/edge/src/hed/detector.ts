/**
 * controlnet-aux 0.0.7 `HEDdetector.__call__` on an RGB image, step for step:
 * `resize_image(rgb, detect_resolution)` → network → projections resized (INTER_LINEAR f32), mean,
 * sigmoid, optional safe_step, ×255 truncated → `HWC3` → `resize_image(that, image_resolution)` gives the
 * output size, INTER_LINEAR (8-bit) of the map to it → scribble post-processing when asked.
 * The map is kept single-channel: HWC3 replicates one channel three times and every later step works
 * per channel, so the three channels stay identical.
 */
import { combineProjections } from './combine-projections.js';
import type { HedNetworkEngine as HedNetwork } from '../engines/network-engine.js';
import { scribble } from './scribble.js';
import type { ImageU8 } from '../image/image-buffer.js';
import { resizeLinearU8 } from '../resize/opencv-linear.js';
import { detectionTargetSize, resizeImageForDetection } from '../resize/resize-image.js';
import { EdgeError } from '../errors.js';

/** The edge styles of controlnet-aux's HED: soft edges or scribble lines, each optionally with safe_step. */
export type EdgeMode = 'softedge' | 'softedge-safe' | 'scribble' | 'scribble-safe';

/** Options of one detection. */
export interface DetectOptions {
  /** Edge style (default `softedge`, the seed's `softedge_hed`). */
  mode?: EdgeMode;
  /** Short side the network sees, rounded to multiples of 64 (default 512). */
  detectResolution?: number;
  /** Short side of the returned map, rounded to multiples of 64 (default 512). */
  imageResolution?: number;
}

/** Milliseconds spent in each step of one detection. */
export interface DetectTimings {
  resizeMs: number;
  networkMs: number;
  combineMs: number;
  postMs: number;
}

const MODES: readonly EdgeMode[] = ['softedge', 'softedge-safe', 'scribble', 'scribble-safe'];

/** Fills defaults and rejects bad values with a user error. */
export function normalizeDetectOptions(opts: DetectOptions = {}): Required<DetectOptions> {
  const mode = opts.mode ?? 'softedge';
  if (!MODES.includes(mode)) {
    throw new EdgeError('HED_OPTION_INVALID', `Unknown edge mode "${String(mode)}"; use one of: ${MODES.join(', ')}.`, { userError: true });
  }
  const check = (name: string, v: number | undefined): number => {
    const value = v ?? 512;
    if (!Number.isInteger(value) || value < 64 || value > 4096) {
      throw new EdgeError('HED_OPTION_INVALID', `${name} must be an integer from 64 to 4096, got ${String(v)}.`, { userError: true });
    }
    return value;
  };
  return {
    mode,
    detectResolution: check('detectResolution', opts.detectResolution),
    imageResolution: check('imageResolution', opts.imageResolution),
  };
}

/**
 * Runs HEDdetector on an RGB image (3 channels, as stored) and returns the single-channel uint8 map at the
 * image-resolution size (not yet resized back to the input's size).
 */
export async function detectEdgeMap(network: HedNetwork, rgb: ImageU8, options: DetectOptions = {}, timings?: DetectTimings): Promise<ImageU8> {
  const opts = normalizeDetectOptions(options);
  if (rgb.channels !== 3) {
    throw new EdgeError('HED_INPUT_CHANNELS', `detect() needs a 3-channel RGB image, got ${rgb.channels} channels.`);
  }
  let t = performance.now();
  const lap = (key: keyof DetectTimings): void => {
    const now = performance.now();
    if (timings) timings[key] += now - t;
    t = now;
  };
  const resized = resizeImageForDetection(rgb, opts.detectResolution);
  lap('resizeMs');
  const projections = await network.project(resized);
  lap('networkMs');
  const safe = opts.mode === 'softedge-safe' || opts.mode === 'scribble-safe';
  let map = combineProjections(projections, { safe });
  lap('combineMs');
  const out = detectionTargetSize(resized.width, resized.height, opts.imageResolution);
  if (out.width !== map.width || out.height !== map.height) {
    map = resizeLinearU8(map, out.width, out.height);
  }
  if (opts.mode === 'scribble' || opts.mode === 'scribble-safe') map = scribble(map);
  lap('postMs');
  return map;
}
