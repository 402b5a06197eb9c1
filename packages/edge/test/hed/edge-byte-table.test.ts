/**
 * The threshold table of the edge value gives what the formula gives: on both sides of every step (found
 * from the sigmoid's inverse, not from the table), on special values and on random float32 bit patterns;
 * and the row-by-row `combineProjections` equals the whole-map recipe on sizes the golden set lacks.
 */
import { describe, expect, it } from 'vitest';
import { combineProjections } from '../../src/hed/combine-projections.js';
import { EdgeByteTable, edgeByte } from '../../src/hed/edge-byte-table.js';
import type { ImageF32 } from '../../src/image/image-buffer.js';
import { resizeLinearF32 } from '../../src/resize/opencv-linear.js';

/** Every float32 within `ulps` steps of `x` (by bit pattern; `x` not near 0), in increasing order. */
function neighbours(x: number, ulps: number): number[] {
  const f = new Float32Array(1);
  const bits = new Int32Array(f.buffer);
  f[0] = x;
  const centre = bits[0];
  const out: number[] = [];
  for (let k = -ulps; k <= ulps; k++) {
    bits[0] = centre + k;
    out.push(f[0]);
  }
  return out.sort((a, b) => a - b);
}

/** `edgeByte` as a Uint8Array stores it (NaN → 0). */
const stored = (mean: number, safe: boolean): number => Uint8Array.of(edgeByte(mean, safe))[0];

function seededBits(count: number, seed: number): Float32Array {
  const bits = new Uint32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bits[i] = s ^ (s >>> 7);
  }
  return new Float32Array(bits.buffer);
}

describe('EdgeByteTable', () => {
  // sigmoid(m)·255 ≥ v from m = ln(v / (255 − v)); 255 once 1 + e^−m rounds to 1 (m ≈ 53·ln 2); safe_step steps at ±ln 2.
  const steps = [...Array.from({ length: 254 }, (_, i) => Math.log((i + 1) / (254 - i))), 53 * Math.LN2, Math.LN2, -Math.LN2];

  for (const safe of [false, true]) {
    it(`equals the formula around every step, on special values and on random floats (safe ${safe})`, () => {
      const table = new EdgeByteTable(safe);
      const windows = steps.map((m) => neighbours(m, 600));
      const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, 88.8, -88.8, 1e-8];
      const values = Float32Array.from([...windows.flat(), ...specials, ...seededBits(200_000, safe ? 2 : 1)]);
      const got = new Uint8Array(values.length);
      table.fill(values, values.length, got, 0);
      let mismatches = 0;
      for (let i = 0; i < values.length; i++) if (got[i] !== stored(values[i], safe)) mismatches++;
      expect(mismatches).toBe(0);
      // The windows really straddle the steps: without safe_step every value 1…255 starts inside one.
      if (!safe) {
        windows.forEach((w, i) => {
          if (i >= 255) return;
          expect(stored(w[0], false)).toBeLessThan(i + 1);
          expect(stored(w[w.length - 1], false)).toBeGreaterThanOrEqual(i + 1);
        });
      }
    });
  }
});

describe('combineProjections', () => {
  it('equals the whole-map recipe (resize each map, float32 mean, edgeByte) on odd sizes and odd map counts', () => {
    let s = 7;
    const map = (width: number, height: number): ImageF32 => {
      const data = new Float32Array(width * height);
      for (let i = 0; i < data.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        data[i] = (s / 2 ** 32 - 0.5) * 16;
      }
      return { data, width, height, channels: 1 };
    };
    for (const [width, height, count] of [
      [77, 53, 5],
      [1, 9, 3],
      [9, 1, 5],
      [64, 40, 2],
    ]) {
      const projections = Array.from({ length: count }, (_, k) => map(Math.max(1, width >> k), Math.max(1, height >> k)));
      for (const safe of [false, true]) {
        const maps = projections.map((p) => resizeLinearF32(p, width, height).data);
        const want = new Uint8Array(width * height);
        for (let i = 0; i < want.length; i++) {
          let sum = maps[0][i];
          for (let m = 1; m < count; m++) sum = Math.fround(sum + maps[m][i]);
          want[i] = edgeByte(Math.fround(sum / count), safe);
        }
        expect(combineProjections(projections, { safe }).data).toEqual(want);
      }
    }
  });
});
