/**
 * Rounding and float32 helpers that reproduce numpy, Python and OpenCV arithmetic exactly.
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

/** OpenCV `saturate_cast<uchar>(v)` for a floating-point `v`: cvRound, then clamp to 0..255. */
export function saturateU8(x: number): number {
  const r = roundHalfEven(x);
  return r < 0 ? 0 : r > 255 ? 255 : r;
}
