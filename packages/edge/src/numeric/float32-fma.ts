/**
 * Fused multiply-add in float32 (`fmaf(a, b, c)`: one rounding), as the AVX2/FMA3 code paths of OpenCV's
 * float filters compute it. `a`, `b` and `c` must already be float32 values.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 neighbour of float32 `r` in the direction of `towards` (r ≠ towards). */
function nextFloat32(r: number, towards: number): number {
  if (r === 0) return towards > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  f32[0] = r;
  // Moving away from zero increases the magnitude bits; towards zero decreases them.
  if (towards > r === r > 0) u32[0] += 1;
  else u32[0] -= 1;
  return f32[0];
}

/** `fmaf(a, b, c)`: a·b + c rounded once to float32 (round half to even). */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact: 24 + 24 significant bits fit in a double
  const s = p + c;
  // Two-sum: the exact rounding error of s = p + c.
  const bp = s - c;
  const e = p - bp + (c - (s - bp));
  const r = Math.fround(s);
  if (e === 0 || r === s) return r;
  // s is not a float32; the double rounding can only be wrong when s lies exactly halfway between two floats.
  const other = nextFloat32(r, s);
  if (s - r !== other - s) return r;
  // Exact value is just above (e > 0) or below (e < 0) the midpoint s.
  return e > 0 ? Math.max(r, other) : Math.min(r, other);
}
