import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inferHedArchitecture } from '../../src/checkpoint/hed-architecture.js';
import { loadCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { FULL_FP16_ZIP, TINY_FP16_LEGACY, TINY_FP32_ZIP } from './checkpoint-paths.js';

/** Decodes an IEEE half by the textbook formula, independently of the loader's table. */
function halfByHand(hex: string): number {
  const h = parseInt(hex.slice(2, 4) + hex.slice(0, 2), 16); // bytes as stored, little-endian
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const channels = (arch: ReturnType<typeof inferHedArchitecture>) => arch.blocks.map((b) => b.convs.map((c) => c.outChannels));
const haveFull = existsSync(FULL_FP16_ZIP);
if (!haveFull) console.log(`skipping the full-size checkpoint test: ${FULL_FP16_ZIP} is missing (../shared not present)`);

describe('golden checkpoints', () => {
  it.skipIf(!haveFull)('full-size float16 zip: 37 tensors, 14,716,168 parameters, exact half → float', async () => {
    const sd = await loadCheckpoint(FULL_FP16_ZIP);
    expect(sd.size).toBe(37);
    const arch = inferHedArchitecture(sd);
    expect(arch.parameterCount).toBe(14_716_168);
    expect(channels(arch)).toEqual([
      [64, 64],
      [128, 128],
      [256, 256, 256],
      [512, 512, 512],
      [512, 512, 512],
    ]);
    expect(arch.blocks[0].convs[0]).toEqual({ inChannels: 3, outChannels: 64 });
    expect(arch.blocks[4].convs[0]).toEqual({ inChannels: 512, outChannels: 512 });
    // Raw half-float bytes of the storages (read with Python's zipfile during development) decoded by hand.
    const norm = sd.get('norm')!;
    expect(norm.shape).toEqual([1, 3, 1, 1]);
    expect([...norm.data]).toEqual(['f457', 'e556', '9256'].map(halfByHand));
    expect([...norm.data]).toEqual([127.25, 110.3125, 105.125]);
    const bias = sd.get('block1.convs.0.bias')!;
    expect(bias.shape).toEqual([64]);
    expect([...bias.data.subarray(0, 3)]).toEqual(['3426', 'd4b4', '10b4'].map(halfByHand));
    expect(bias.data[63]).toBe(0.19677734375);
    const w = sd.get('block1.convs.0.weight')!;
    expect(w.shape).toEqual([64, 3, 3, 3]);
    expect([...w.data.subarray(0, 3)]).toEqual(['e2ac', 'f0b5', '5d2b'].map(halfByHand));
    expect(w.data[1727]).toBe(0.6181640625);
    expect([...sd.get('block5.projection.bias')!.data]).toEqual([halfByHand('6743')]);
    expect(sd.get('block5.projection.weight')!.shape).toEqual([1, 512, 1, 1]);
  });

  // Values read from the raw storages with Python (numpy.frombuffer) during development.
  it.each([
    [
      'float32 zip',
      TINY_FP32_ZIP,
      [116.82488250732422, 124.36973571777344, 109.747314453125],
      [-0.12520043551921844, -0.21094226837158203, -0.3158375024795532],
      0.2706441879272461,
    ],
    [
      'float16 legacy (non-zip)',
      TINY_FP16_LEGACY,
      [122.9375, 105.9375, 101.8125],
      // eslint-disable-next-line no-loss-of-precision -- a false positive: the shortest decimal of the stored float16 (Number(x).toString() gives it back)
      [-0.0836181640625, -0.0019235610961914062, -0.0252838134765625],
      0.2159423828125,
    ],
  ])('tiny %s: channels 4, 8, 8, 16, 16 and the stored values', async (_, file, norm, firstWeights, lastWeight) => {
    const sd = await loadCheckpoint(file);
    expect(sd.size).toBe(37);
    expect(channels(inferHedArchitecture(sd))).toEqual([
      [4, 4],
      [8, 8],
      [8, 8, 8],
      [16, 16, 16],
      [16, 16, 16],
    ]);
    expect([...sd.get('norm')!.data]).toEqual(norm);
    const w = sd.get('block1.convs.0.weight')!;
    expect(w.shape).toEqual([4, 3, 3, 3]);
    expect([...w.data.subarray(0, 3)]).toEqual(firstWeights);
    expect(w.data[107]).toBe(lastWeight);
  });

  it('keeps the tensors in file order with the canonical names', async () => {
    const sd = await loadCheckpoint(TINY_FP32_ZIP);
    const names = [...sd.keys()];
    expect(names.slice(0, 5)).toEqual(['norm', 'block1.convs.0.weight', 'block1.convs.0.bias', 'block1.convs.1.weight', 'block1.convs.1.bias']);
    expect(names.at(-1)).toBe('block5.projection.bias');
  });
});
