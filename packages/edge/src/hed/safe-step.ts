/**
 * controlnet-aux 0.0.7 `safe_step(x, step=2)`:
 * `y = x.astype(float32) * (step + 1); y = y.astype(int32).astype(float32) / step`.
 */

/** `safe_step` on one edge value (float64 in 0..1); returns the float32 result as a number. */
export function safeStep(x: number, step = 2): number {
  const y = Math.fround(Math.fround(x) * (step + 1));
  // astype(int32) truncates toward zero.
  return Math.fround(Math.trunc(y) / step);
}
