import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { fixturesDir } from './checkpoint-paths.js';

// protocol-N.pth: data.pkl written by CPython's pickle at protocol N (see make-protocol-fixtures.py), so the
// unpickler is checked against real Python output: text INT (protocol 1), BINPUT/BINGET, FRAME, MEMOIZE,
// STACK_GLOBAL, SHORT_BINUNICODE, TUPLE2, BUILD of the state dict's _metadata, _rebuild_parameter.
describe.each([1, 2, 3, 4, 5])('pickle protocol %i written by CPython', (protocol) => {
  it('loads the same tensors', async () => {
    const sd = await loadCheckpoint(path.join(fixturesDir, `protocol-${protocol}.pth`));
    expect([...sd.keys()]).toEqual(['a', 'a_t', 'b', 'c']);
    expect(sd.get('a')).toEqual({ shape: [2, 3], data: Float32Array.of(0.5, -1.25, 3, 4.5, -0, Math.fround(1e-3)) });
    expect(sd.get('a_t')).toEqual({ shape: [3, 2], data: Float32Array.of(0.5, 4.5, -1.25, -0, 3, Math.fround(1e-3)) });
    expect(Object.is(sd.get('a')!.data[4], -0)).toBe(true);
    expect(sd.get('b')).toEqual({ shape: [3], data: Float32Array.of(-2, 0.0999755859375, 65504) });
    expect(sd.get('c')).toEqual({ shape: [1, 2, 1, 1], data: Float32Array.of(Math.fround(0.1), 2) });
  });
});
