/**
 * The checkpoint reader is bounded as a whole: names and shapes are checked against the HED architecture
 * before any storage is read, one element budget covers all tensors together, and the unpickler has limits
 * on its work (values, MARK depth, memo, string and integer sizes). In-process and small; the hostile files
 * themselves run through the CLI in test/cli-hostile-checkpoints.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TOTAL_ELEMENTS } from '../../src/checkpoint/checkpoint-limits.js';
import { FormatProblem } from '../../src/checkpoint/format-problem.js';
import { parseCheckpoint, parseHedCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { unpickle } from '../../src/checkpoint/pickle-machine.js';
import { EdgeError } from '../../src/errors.js';
import { hedShapes } from './hostile-checkpoints.js';
import { rowMajorStrides, writeTorchZip, type CheckpointSpec } from './torch-checkpoint-writer.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof EdgeError) return e.code;
    throw e;
  }
}

function problemOf(bytes: Uint8Array): string {
  try {
    unpickle(bytes, 0, {
      resolveGlobal: () => {
        throw new Error('no globals');
      },
    });
    return 'ok';
  } catch (e) {
    if (e instanceof FormatProblem) return e.detail;
    throw e;
  }
}

describe('names and shapes before data', () => {
  it('a HED-shaped file with an extra tensor and damaged storage data: the architecture error, before any data is read', () => {
    const spec: CheckpointSpec = { storages: new Map(), tensors: [] };
    for (const [i, { name, shape }] of [...hedShapes(4), { name: 'extra.weight', shape: [2, 2] }].entries()) {
      spec.storages.set(String(i), { dtype: 'float32', values: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
      spec.tensors.push({ name, storage: String(i), offset: 0, shape, stride: rowMajorStrides(shape) });
    }
    // Storage record 0's bytes are damaged (its CRC-32 fails): reading any of its data would be corrupt.
    const bytes = Buffer.from(writeTorchZip(spec));
    const name = Buffer.from('archive/data/0');
    bytes[bytes.indexOf(name) + name.length] ^= 0xff;
    expect(codeOf(() => parseHedCheckpoint(bytes, 'damaged.pth'))).toBe('HED_CHECKPOINT_ARCHITECTURE');
    expect(codeOf(() => parseCheckpoint(bytes, 'damaged.pth'))).toBe('HED_CHECKPOINT_CORRUPT');
  });

  it('one element budget for all tensors together: three zero-stride views that each fit are refused together', () => {
    const each = MAX_TOTAL_ELEMENTS / 2; // each alone is within the budget; three are not
    const spec: CheckpointSpec = {
      storages: new Map([['0', { dtype: 'float32', values: [1] }]]),
      tensors: ['a', 'b', 'c'].map((name) => ({ name, storage: '0', offset: 0, shape: [each], stride: [0] })),
    };
    let message = '';
    try {
      parseCheckpoint(writeTorchZip(spec), 'three.pth');
    } catch (e) {
      message = (e as Error).message;
      expect((e as EdgeError).code).toBe('HED_CHECKPOINT_CORRUPT');
    }
    expect(message).toMatch(/3 tensors hold \d+ elements together/);
  });

  it('zero-stride and strided views within the budget are still materialised exactly', () => {
    const spec: CheckpointSpec = {
      storages: new Map([['0', { dtype: 'float16', values: [1.5, -2, 0.25, 8, 3, 4] }]]),
      tensors: [
        { name: 'broadcast', storage: '0', offset: 1, shape: [2, 3], stride: [0, 0] },
        { name: 'transposed', storage: '0', offset: 0, shape: [3, 2], stride: [1, 3] },
      ],
    };
    const sd = parseCheckpoint(writeTorchZip(spec));
    expect([...sd.get('broadcast')!.data]).toEqual([-2, -2, -2, -2, -2, -2]);
    expect([...sd.get('transposed')!.data]).toEqual([1.5, 8, -2, 3, 0.25, 4]);
  });
});

describe('unpickler limits', () => {
  const proto = [0x80, 2];
  it('values: 2 million DUPs', () => {
    expect(problemOf(Uint8Array.from([...proto, 0x7d, ...new Array(2_000_000).fill(0x32), 0x2e]))).toMatch(/more than 1000000 values/);
  });
  it('MARK depth: 5000 nested MARKs', () => {
    expect(problemOf(Uint8Array.from([...proto, ...new Array(5000).fill(0x28), 0x2e]))).toMatch(/nests more than 1000 MARKs/);
  });
  it('a 4 KB LONG4 integer and a 2 MB string', () => {
    expect(problemOf(Uint8Array.from([...proto, 0x8b, 0x00, 0x10, 0, 0, ...new Array(4096).fill(1), 0x2e]))).toMatch(/integer of 4096 bytes/);
    const n = 2 * 1024 * 1024;
    expect(problemOf(Uint8Array.from([...proto, 0x58, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0, ...new Array(n).fill(0x61), 0x2e]))).toMatch(/string of 2097152 bytes/);
  });
  it('a text INT of 100 digits', () => {
    expect(problemOf(Uint8Array.from([...proto, 0x49, ...new Array(100).fill(0x37), 0x0a, 0x2e]))).toMatch(/integer of 100 digits/);
  });
});
