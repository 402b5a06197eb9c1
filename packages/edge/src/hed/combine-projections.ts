/**
 * The end of controlnet-aux 0.0.7 `HEDdetector.__call__` after the network: each projection resized to
 * the first one's size with OpenCV INTER_LINEAR (float32), the float32 mean of the five maps, the
 * sigmoid in float64, optional `safe_step`, then `(edge * 255).clip(0, 255).astype(uint8)` (truncation).
 */
import { EdgeError } from '../errors.js';
import { assertImage, type ImageF32, type ImageU8 } from '../image/image-buffer.js';
import { resizeLinearF32 } from '../resize/opencv-linear.js';
import { safeStep } from './safe-step.js';

/** Options of {@link combineProjections}. */
export interface CombineOptions {
  /** Apply `safe_step` (softedge-safe / scribble-safe modes). */
  safe: boolean;
}

/**
 * Combines single-channel float32 projections (p1 first, at the detection size) into the uint8 edge map.
 */
export function combineProjections(projections: ImageF32[], options: CombineOptions): ImageU8 {
  if (projections.length === 0) {
    throw new EdgeError('HED_PROJECTIONS_INVALID', 'combineProjections needs at least one projection map.');
  }
  for (const p of projections) {
    assertImage(p, 'projection map');
    if (p.channels !== 1) throw new EdgeError('HED_PROJECTIONS_INVALID', `Projection maps must have 1 channel, got ${p.channels}.`);
  }
  const { width, height } = projections[0];
  const n = width * height;
  const maps = projections.map((p) => (p.width === width && p.height === height ? p.data : resizeLinearF32(p, width, height).data));
  const fr = Math.fround;
  const count = maps.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    // np.mean over the stacked axis in float32: sequential float32 sum, then / count.
    let sum = maps[0][i];
    for (let m = 1; m < count; m++) sum = fr(sum + maps[m][i]);
    const mean = fr(sum / count);
    let edge = 1 / (1 + Math.exp(-mean));
    if (options.safe) edge = safeStep(edge);
    let v = edge * 255.0;
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    out[i] = Math.trunc(v);
  }
  return { data: out, width, height, channels: 1 };
}
