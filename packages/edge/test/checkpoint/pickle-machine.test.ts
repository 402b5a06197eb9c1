import { describe, expect, it } from 'vitest';
import { FormatProblem } from '../../src/checkpoint/format-problem.js';
import { unpickle } from '../../src/checkpoint/pickle-machine.js';
import { PyDict, PyTuple } from '../../src/checkpoint/pickle-values.js';
import { resolveTorchGlobal } from '../../src/checkpoint/torch-pickle-objects.js';

const hooks = { resolveGlobal: resolveTorchGlobal };
const run = (hex: string) => unpickle(Buffer.from(hex, 'hex'), 0, hooks).value;

/** Plain Python values back as JS: tuples as { tuple: [...] }, dicts as Maps. */
function plain(v: unknown): unknown {
  if (v instanceof PyTuple) return { tuple: v.items.map(plain) };
  if (v instanceof PyDict) return new Map([...v.entries].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

// Hex dumps of CPython's pickle.dumps(value, protocol=N).
describe('unpickle on CPython output', () => {
  it('protocol 0 (text opcodes): floats incl. inf and -0.0, ints, longs, bools, None, tuple, dict', () => {
    // [1.5, inf, -3, 2**70, -2**70, True, False, None, (1, 2), 1e-05, -0.0, {3: [7]}]
    const v = run(
      '286c70300a46312e350a6146696e660a61492d330a614c313138303539313632303731373431313330333432344c0a614c2d3131383035393136323037313734313133303334323' +
        '44c0a614930310a614930300a614e612849310a49320a7470310a614631652d30350a61462d302e300a61286470320a49330a286c70330a49370a6173612e',
    );
    expect(plain(v)).toEqual([1.5, Infinity, -3, 2n ** 70n, -(2n ** 70n), true, false, null, { tuple: [1, 2] }, 1e-5, -0, new Map([[3, [7]]])]);
    expect(Object.is((v as unknown[])[10], -0)).toBe(true);
  });

  it('protocol 5 (FRAME, MEMOIZE, SHORT_BINUNICODE, BINBYTES, LONG1, BININT forms)', () => {
    // [1.5, inf, -3, 2**70, -2**70, True, False, None, (1, 2), {'k': [7]}, 1e-05, -0.0, b'xy', 'é', 300, 70000, -1]
    const v = run(
      '80059570000000000000005d9428473ff8000000000000477ff00000000000004afdffffff8a090000000000000000408a090000000000000000c088894e4b014b0286947d948c016b945d944b' +
        '076173473ee4f8b588e368f147800000000000000043027879948c02c3a9944d2c014a701101004affffffff652e',
    );
    expect(plain(v)).toEqual([
      1.5,
      Infinity,
      -3,
      2n ** 70n,
      -(2n ** 70n),
      true,
      false,
      null,
      { tuple: [1, 2] },
      new Map([['k', [7]]]),
      1e-5,
      -0,
      Uint8Array.of(0x78, 0x79),
      'é',
      300,
      70000,
      -1,
    ]);
  });

  it('protocol 2 bytes go through _codecs.encode, a global a state dict never needs: refused', () => {
    const hex =
      '80025d710028473ff8000000000000477ff00000000000004afdffffff8a090000000000000000408a090000000000000000c088894e4b014b028671017d710258010000006b71035d71044b0761' +
      '73473ee4f8b588e368f1478000000000000000635f636f646563730a656e636f64650a710558020000007879710658060000006c6174696e3171078671085271095802000000c3a9710a4d2c014a701101004affffffff652e';
    expect(() => run(hex)).toThrow(expect.objectContaining({ kind: 'unsafe', offender: '_codecs.encode' }));
  });

  it('reports damage as FormatProblem with the offset', () => {
    const cases: [string, RegExp][] = [
      ['8002', /ends early/], // no STOP
      ['80022e', /STOP with an empty stack/],
      ['800268', /ends early/], // BINGET without its argument
      ['800268052e', /memo entry 5/],
      ['8002ff2e', /opcode 0xff at offset 2/],
      ['8006', /protocol 6/],
      ['80024b014b02612e', /APPEND on 1, not a list/],
      ['80024b01612e', /stack underflow at offset 4/],
      ['800274', /MARK missing/],
      ['80025802000000c3', /ends early/],
      ['80025802000000c328', /invalid UTF-8/],
    ];
    for (const [hex, why] of cases) {
      let caught: unknown;
      try {
        run(hex);
      } catch (e) {
        caught = e;
      }
      expect(caught, hex).toBeInstanceOf(FormatProblem);
      expect((caught as FormatProblem).message, hex).toMatch(why);
    }
  });

  it('returns the offset after STOP so consecutive pickles can be read', () => {
    const bytes = Buffer.from('80024b072e80024b082e', 'hex');
    const first = unpickle(bytes, 0, hooks);
    expect(first).toEqual({ value: 7, end: 5 });
    expect(unpickle(bytes, first.end, hooks)).toEqual({ value: 8, end: 10 });
  });
});
