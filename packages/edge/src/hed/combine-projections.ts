/**
 * The end of controlnet-aux 0.0.7 `HEDdetector.__call__` after the network: each projection resized to
 * the first one's size with OpenCV INTER_LINEAR (float32), the float32 mean of the five maps, the
 * sigmoid in float64, optional `safe_step`, then `(edge * 255).clip(0, 255).astype(uint8)` (truncation).
 * Done row by row: no resized map is kept whole.
 */
import { EdgeError } from '../errors.js';
import { assertImage, type ImageF32, type ImageU8 } from '../image/image-buffer.js';
import { resizeLinearRowsF32 } from '../resize/opencv-linear.js';
import { EdgeByteTable } from './edge-byte-table.js';

/** Options of {@link combineProjections}. */
export interface CombineOptions {
  /** Apply `safe_step` (softedge-safe / scribble-safe modes). */
  safe: boolean;
}

const tables = new Map<boolean, EdgeByteTable>();

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
  const rowsOf = projections.map((p) => resizeLinearRowsF32(p, width, height));
  let table = tables.get(options.safe);
  if (!table) tables.set(options.safe, (table = new EdgeByteTable(options.safe)));
  const count = projections.length;
  const sum = new Float32Array(width);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    // np.mean over the stacked axis in float32: sequential float32 sum (each store rounds), then / count.
    sum.set(rowsOf[0](y));
    for (let m = 1; m < count; m++) {
      const row = rowsOf[m](y);
      for (let x = 0; x < width; x++) sum[x] += row[x];
    }
    for (let x = 0; x < width; x++) sum[x] /= count;
    table.fill(sum, width, out, y * width);
  }
  return { data: out, width, height, channels: 1 };
}
