/**
 * The uint8 edge value of a float32 mean projection: the sigmoid in float64, optional `safe_step`, then
 * `(edge * 255).clip(0, 255).astype(uint8)`. {@link edgeByte} computes it; {@link EdgeByteTable} looks it
 * up without `Math.exp`. The value never decreases as the mean grows, so it is the number of thresholds
 * T1 ≤ … ≤ T255 (the least float32 mean giving at least 1, 2, …, 255) at or below the mean; a bucket of
 * the mean's range gives the count below the bucket, and the few thresholds inside it are compared.
 * Both agree on every float32 (all 2^32 were compared when the table was written, on V8's fdlibm `exp`;
 * the tests compare both sides of every threshold).
 */
import { safeStep } from './safe-step.js';

/** The edge value of one float32 `mean` (NaN gives NaN, which a Uint8Array stores as 0). */
export function edgeByte(mean: number, safe: boolean): number {
  let edge = 1 / (1 + Math.exp(-mean));
  if (safe) edge = safeStep(edge);
  const v = edge * 255.0;
  return Math.trunc(v < 0 ? 0 : v > 255 ? 255 : v);
}

const BUCKETS = 2048;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 of rank `key` in value order: 0x007fffff is −∞, 0x7fffffff is −0, 0x80000000 is +0, 0xff800000 is +∞. */
function float32OfRank(key: number): number {
  u32[0] = key >= 0x80000000 ? key - 0x80000000 : ~key;
  return f32[0];
}

/** {@link edgeByte} for one `safe` setting as a threshold table. */
export class EdgeByteTable {
  /** `thresholds[v]`: the least float32 mean whose edge value is ≥ v (v = 1…255; index 0 unused). */
  private readonly thresholds = new Float64Array(256);
  /** Per bucket, the number of thresholds in earlier buckets. */
  private readonly below = new Uint8Array(BUCKETS);
  private readonly origin: number;
  private readonly scale: number;

  constructor(safe: boolean) {
    const t = this.thresholds;
    for (let v = 1; v < 256; v++) {
      let lo = 0x007fffff;
      let hi = 0xff800000;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        if (edgeByte(float32OfRank(mid), safe) >= v) hi = mid;
        else lo = mid + 1;
      }
      t[v] = float32OfRank(lo);
    }
    this.origin = t[1];
    this.scale = BUCKETS / (t[254] - t[1]);
    const inBucket = new Int32Array(BUCKETS);
    for (let v = 1; v < 256; v++) inBucket[this.bucket(t[v])]++;
    for (let b = 1; b < BUCKETS; b++) this.below[b] = this.below[b - 1] + inBucket[b - 1];
  }

  /** A bucket index that never decreases as `mean` grows (NaN: 0). */
  private bucket(mean: number): number {
    const b = (mean - this.origin) * this.scale;
    return b >= BUCKETS - 1 ? BUCKETS - 1 : b >= 0 ? b | 0 : 0;
  }

  /** `out[i]` = the edge value of `means[i]`, for `n` values. */
  fill(means: Float32Array, n: number, out: Uint8Array, at: number): void {
    const { thresholds: t, below, origin, scale } = this;
    for (let i = 0; i < n; i++) {
      const m = means[i];
      const b = (m - origin) * scale; // as in bucket()
      let v = below[b >= BUCKETS - 1 ? BUCKETS - 1 : b >= 0 ? b | 0 : 0];
      while (v < 255 && m >= t[v + 1]) v++;
      out[at + i] = v;
    }
  }
}
