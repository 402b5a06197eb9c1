import { elementCount, type StateDict } from './state-dict.js';

/** Element type written by `writeSafetensors`. */
export type SafetensorsWriteDtype = 'F32' | 'F16';

/**
 * Serialises a StateDict as a `.safetensors` file (tensors in map order, data 8-byte aligned).
 * `F16` rounds each value to the nearest float16 (ties to even) — exact for weights that came from float16.
 */
export function writeSafetensors(sd: StateDict, dtype: SafetensorsWriteDtype = 'F32', metadata?: Record<string, string>): Uint8Array {
  const size = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of sd) {
    const bytes = elementCount(t.shape) * size;
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of sd.values()) {
    for (let i = 0; i < t.data.length; i++, at += size) {
      if (size === 4) view.setFloat32(at, t.data[i], true);
      else view.setUint16(at, floatToHalfBits(t.data[i]), true);
    }
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → nearest float16 bit pattern (round half to even; overflow → ±inf; NaN kept). */
export function floatToHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal
    const m = mant | 0x800000; // implicit 1
    const shift = 14 - e;
    let half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // may carry into the exponent: still correct
  return sign | half;
}
