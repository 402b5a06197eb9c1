/**
 * Rounding and float32 helpers that reproduce numpy, Python and OpenCV arithmetic exactly.
 * OpenCV `saturate_cast<uchar>(v)` of a floating-point `v` (cvRound, then clamp to 0..255; NaN → 0) needs no
 * helper: it is what a `Uint8ClampedArray` stores for `v` (ToUint8Clamp rounds ties to even).
 */

/** numpy `np.round` / Python 3 `round`: nearest integer, ties to even (e.g. 2.5 → 2, 3.5 → 4, −0.5 → −0). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties toward +∞
  if (r - x === 0.5 && r % 2 !== 0) return r - 1;
  return r;
}

/**
 * OpenCV `cvRound`: `lrint` in the default rounding mode, i.e. nearest integer with ties to even.
 * Use it on the exact value OpenCV rounds (a float32 value must already be `Math.fround`ed).
 */
export function cvRound(x: number): number {
  return roundHalfEven(x);
}

/** OpenCV `saturate_cast<short>(v)` for a floating-point `v`: cvRound, then clamp to int16. */
export function saturateShort(x: number): number {
  const r = roundHalfEven(x);
  return r < -32768 ? -32768 : r > 32767 ? 32767 : r;
}
