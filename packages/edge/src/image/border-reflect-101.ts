/**
 * OpenCV `borderInterpolate(p, len, BORDER_REFLECT_101)` (the default border, `gfedcb|abcdefgh|gfedcba`),
 * reflecting as many times as needed for short lines.
 */
export function reflect101(p: number, len: number): number {
  if (p >= 0 && p < len) return p;
  if (len === 1) return 0;
  do {
    p = p < 0 ? -p : len - 1 - (p - len) - 1;
  } while (p < 0 || p >= len);
  return p;
}

/** Source index of every tap `x + k - anchor` (k = 0..ksize−1) for x = 0..len−1, reflected: len·ksize entries. */
export function reflect101Taps(len: number, ksize: number, anchor: number): Int32Array {
  const taps = new Int32Array(len * ksize);
  for (let x = 0; x < len; x++) for (let k = 0; k < ksize; k++) taps[x * ksize + k] = reflect101(x + k - anchor, len);
  return taps;
}
