import { describe, expect, it } from 'vitest';
import { loadCheckpoint, parseCheckpoint, sniffCheckpointFormat } from '../../src/checkpoint/load-checkpoint.js';
import type { StateDict } from '../../src/checkpoint/state-dict.js';
import { floatToHalfBits, writeSafetensors } from '../../src/checkpoint/write-safetensors.js';
import { TINY_FP16_LEGACY, TINY_FP32_ZIP } from './checkpoint-paths.js';
import { PickleBuilder, specFromStateDict, stateDictPickle, writeTorchLegacy, writeTorchZip, type CheckpointSpec } from './torch-checkpoint-writer.js';

function expectSameTensors(a: StateDict, b: StateDict): void {
  expect([...b.keys()]).toEqual([...a.keys()]);
  for (const [name, t] of a) {
    const u = b.get(name)!;
    expect(u.shape, name).toEqual(t.shape);
    expect(u.data.length, name).toBe(t.data.length);
    // bit-for-bit (also distinguishes -0 from 0)
    expect(Buffer.from(u.data.buffer, u.data.byteOffset, u.data.byteLength).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)), name).toBe(true);
  }
}

describe('the same StateDict in every format', () => {
  it('float16 weights: legacy golden = zip = legacy rewrite = safetensors F16 = safetensors F32 = deflated zip = big-endian zip', async () => {
    const golden = await loadCheckpoint(TINY_FP16_LEGACY);
    const spec = specFromStateDict(golden, 'float16');
    const variants: [string, Uint8Array][] = [
      ['zip fp16', writeTorchZip(spec)],
      ['zip fp16 without byteorder record', writeTorchZip(spec, { byteorder: null })],
      ['zip fp16 big-endian', writeTorchZip(spec, { byteorder: 'big' })],
      ['zip fp16 deflated', writeTorchZip(spec, { deflate: true })],
      ['zip64 fp16', writeTorchZip(spec, { zip64: true, prefix: 'ControlNetHED' })],
      ['zip fp32', writeTorchZip(specFromStateDict(golden, 'float32'))],
      ['zip fp64', writeTorchZip(specFromStateDict(golden, 'float64'))],
      ['legacy fp16', writeTorchLegacy(spec)],
      ['safetensors F16', writeSafetensors(golden, 'F16')],
      ['safetensors F32', writeSafetensors(golden, 'F32', { format: 'pt' })],
    ];
    for (const [name, bytes] of variants) expectSameTensors(golden, parseCheckpoint(bytes, name));
    expect(sniffCheckpointFormat(variants[0][1])).toBe('torch-zip');
    expect(sniffCheckpointFormat(variants[7][1])).toBe('torch-legacy');
    expect(sniffCheckpointFormat(variants[8][1])).toBe('safetensors');
  });

  it('float32 weights: zip golden = legacy = safetensors F32; bfloat16 storages upcast exactly', async () => {
    const golden = await loadCheckpoint(TINY_FP32_ZIP);
    expectSameTensors(golden, parseCheckpoint(writeTorchLegacy(specFromStateDict(golden, 'float32'))));
    expectSameTensors(golden, parseCheckpoint(writeSafetensors(golden)));
    // bfloat16: keep the top 16 bits of each float32, then the loader must give exactly those values back
    const truncated: StateDict = new Map(
      [...golden].map(([k, t]) => {
        const bits = new Uint32Array(Float32Array.from(t.data).buffer);
        for (let i = 0; i < bits.length; i++) bits[i] &= 0xffff0000;
        return [k, { shape: t.shape, data: new Float32Array(bits.buffer) }];
      }),
    );
    expectSameTensors(truncated, parseCheckpoint(writeTorchZip(specFromStateDict(truncated, 'bfloat16'))));
  });

  it('float16 special values: subnormals, ±0, ±inf, largest half', () => {
    const values = Float32Array.from([0, -0, 2 ** -24, -(2 ** -24), 2 ** -14, 65504, -65504, Infinity, -Infinity, 1 / 3]);
    const expected = Float32Array.from(values, (v, i) => (i === 9 ? 0.333251953125 : v)); // 1/3 rounds to the nearest half
    const sd: StateDict = new Map([['x', { shape: [values.length], data: values }]]);
    const back = parseCheckpoint(writeTorchZip(specFromStateDict(sd, 'float16'))).get('x')!;
    expect(Object.is(back.data[1], -0)).toBe(true);
    expect([...back.data]).toEqual([...expected]);
    expect(floatToHalfBits(NaN) & 0x7c00).toBe(0x7c00);
    expect(Number.isNaN(parseCheckpoint(writeSafetensors(new Map([['n', { shape: [1], data: Float32Array.of(NaN) }]]), 'F16')).get('n')!.data[0])).toBe(true);
  });
});

describe('strided views and shared storages', () => {
  const storage = Float32Array.from({ length: 24 }, (_, i) => i);
  const spec: CheckpointSpec = {
    storages: new Map([
      ['0', { dtype: 'float32', values: storage }],
      ['1', { dtype: 'float16', values: [5, 6, 7, 8] }],
    ]),
    tensors: [
      { name: 'whole', storage: '0', offset: 0, shape: [2, 3, 4], stride: [12, 4, 1] },
      { name: 'transposed', storage: '0', offset: 0, shape: [4, 3], stride: [1, 4] }, // 3×4 matrix .t()
      { name: 'offset_row', storage: '0', offset: 16, shape: [4], stride: [1] },
      { name: 'every_other', storage: '0', offset: 1, shape: [2, 2, 2], stride: [12, 4, 2] },
      { name: 'broadcast', storage: '1', offset: 2, shape: [2, 3], stride: [0, 1] },
      { name: 'scalar', storage: '1', offset: 3, shape: [], stride: [] },
      { name: 'empty', storage: '1', offset: 0, shape: [0, 5], stride: [5, 1] },
    ],
  };
  it('materialises non-contiguous views row-major (zip and legacy)', () => {
    const inBounds: CheckpointSpec = { ...spec, tensors: spec.tensors.filter((t) => t.name !== 'broadcast') };
    for (const bytes of [writeTorchZip(inBounds), writeTorchLegacy(inBounds)]) {
      const sd = parseCheckpoint(bytes);
      expect([...sd.get('whole')!.data]).toEqual([...storage]);
      expect([...sd.get('transposed')!.data]).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
      expect([...sd.get('offset_row')!.data]).toEqual([16, 17, 18, 19]);
      expect([...sd.get('every_other')!.data]).toEqual([1, 3, 5, 7, 13, 15, 17, 19]);
      expect(sd.get('scalar')).toEqual({ shape: [], data: Float32Array.of(8) });
      expect(sd.get('empty')).toEqual({ shape: [0, 5], data: new Float32Array(0) });
      // tensors never alias each other or the file
      sd.get('whole')!.data[0] = 99;
      expect(sd.get('transposed')!.data[0]).toBe(0);
    }
  });

  it('accepts stride-0 views inside the storage and rejects views past its end, naming the tensor', () => {
    const ok: CheckpointSpec = { ...spec, tensors: [{ name: 'broadcast', storage: '1', offset: 2, shape: [2, 2], stride: [0, 1] }] };
    expect([...parseCheckpoint(writeTorchZip(ok)).get('broadcast')!.data]).toEqual([7, 8, 7, 8]);
    expect(() => parseCheckpoint(writeTorchZip(spec), 'views.pth')).toThrow(
      expect.objectContaining({ code: 'HED_CHECKPOINT_CORRUPT', message: expect.stringMatching(/views\.pth.*'broadcast'.*element 4 of a storage of 4/) }),
    );
  });

  it("strips a 'module.' prefix (nn.DataParallel) and unwraps {'state_dict': …}", async () => {
    const golden = await loadCheckpoint(TINY_FP32_ZIP);
    const prefixed: StateDict = new Map([...golden].map(([k, t]) => [`module.${k}`, t]));
    expectSameTensors(golden, parseCheckpoint(writeTorchZip(specFromStateDict(prefixed, 'float32'))));
    const spec = specFromStateDict(golden, 'float32');
    const inner = stateDictPickle(spec, 'zip');
    const wrapped = new PickleBuilder()
      .proto(2)
      .op('}')
      .str('epoch')
      .int(7)
      .op('s')
      .str('state_dict')
      .raw(...inner.subarray(2, -1))
      .op('s')
      .stop()
      .bytes();
    expectSameTensors(golden, parseCheckpoint(writeTorchZip(spec, { pickle: wrapped })));
  });
});
