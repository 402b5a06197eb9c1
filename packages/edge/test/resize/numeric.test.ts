/** numpy/OpenCV rounding and the float32 fused multiply-add, by hand and against exact BigInt arithmetic. */
import { describe, expect, it } from 'vitest';
import { cvRound, roundHalfEven, saturateShort } from '../../src/numeric/round-half-even.js';
import { fmaF32 } from '../../src/numeric/float32-fma.js';

describe('roundHalfEven / cvRound', () => {
  it('rounds ties to even like np.round and lrint', () => {
    const cases: Array<[number, number]> = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, -0],
      [-1.5, -2],
      [-2.5, -2],
      [10.5, 10],
      [11.5, 12],
      [0.49999999999999994, 0],
      [2.5000000000000004, 3],
      [7.3, 7],
      [-7.7, -8],
      [1e15 + 0.5, 1e15],
      [12, 12],
    ];
    for (const [x, want] of cases) {
      expect(roundHalfEven(x)).toBe(want);
      expect(cvRound(x)).toBe(want);
    }
  });

  it('saturates to int16 after rounding', () => {
    expect(saturateShort(2048 * 1.0000001)).toBe(2048);
    expect(saturateShort(40000)).toBe(32767);
    expect(saturateShort(-40000.5)).toBe(-32768);
  });

  it('a Uint8ClampedArray store is saturate_cast<uchar>(cvRound(v)) (the uint8 kernels rely on it)', () => {
    const clampedStore = (v: number): number => Uint8ClampedArray.of(v)[0];
    expect([254.5, 255.5, -0.6, 0.5, 1.5, 2.5, NaN, -Infinity, Infinity].map(clampedStore)).toEqual([254, 255, 0, 0, 2, 2, 0, 0, 255]);
    const values = [NaN, -1e9, -256.5, -1.5, -0.5, -0, 0, 1e-45, 0.49999997, 127.5, 128.5, 254.49998, 256, 300.5, 1e9];
    for (let i = -1000; i <= 600 * 4; i++) values.push(i / 4, Math.fround(i / 3), i / 4 + 2 ** -20);
    for (const v of values) {
      const r = cvRound(v);
      // What a Uint8Array holds after storing the clamped cvRound (−0 and NaN become 0).
      expect(clampedStore(v), String(v)).toBe(Uint8Array.of(r < 0 ? 0 : r > 255 ? 255 : r)[0]);
    }
  });
});

/** Exact float32 fma via BigInt: a·b + c exactly, rounded once to 24 bits, ties to even. */
function exactFmaF32(a: number, b: number, c: number): number {
  // x = m · 2^-200 with integer m (the test's float32 values have no bits below 2^-100).
  const scaled = (x: number): bigint => BigInt(Math.round(x * 2 ** 100)) * 2n ** 100n;
  const ma = scaled(a);
  const mb = scaled(b);
  const mc = scaled(c);
  // a = ma·2^-200, b = mb·2^-200, c = mc·2^-200 → a·b + c = (ma·mb + mc·2^200)·2^-400
  let num = ma * mb + mc * 2n ** 200n;
  if (num === 0n) return 0;
  const neg = num < 0n;
  if (neg) num = -num;
  const bits = num.toString(2).length;
  const shift = bits - 24;
  let q = shift > 0 ? num >> BigInt(shift) : num << BigInt(-shift);
  if (shift > 0) {
    const rem = num - (q << BigInt(shift));
    const half = 1n << BigInt(shift - 1);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const value = Number(q) * 2 ** (shift - 400);
  return neg ? -value : value;
}

describe('fmaF32', () => {
  it('rounds once: (1 + 2^-12)² − 1 keeps the 2^-24 term a separate multiply and add would lose', () => {
    const a = 1 + 2 ** -12;
    expect(fmaF32(a, a, -1)).toBe(2 ** -11 + 2 ** -24);
    expect(Math.fround(Math.fround(a * a) - 1)).toBe(2 ** -11);
  });

  it('matches exact BigInt arithmetic on 20000 random float32 triples of mixed magnitude', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const f = (): number => Math.fround((rnd() - 0.5) * 2 ** Math.floor(rnd() * 20 - 10));
    for (let i = 0; i < 20000; i++) {
      const a = f();
      const b = f();
      const c = i % 3 === 0 ? Math.fround(-a * b * (1 + (rnd() - 0.5) * 2 ** -20)) : f();
      expect(fmaF32(a, b, c)).toBe(exactFmaF32(a, b, c));
    }
  });
});
