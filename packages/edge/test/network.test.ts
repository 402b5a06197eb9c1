/**
 * The tfjs HED network against a plain float64 re-implementation of the PyTorch module (NCHW, OIHW),
 * on a small random checkpoint — and no tensor leaks over many runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { HedNetwork } from '../src/hed/network.js';
import type { StateDict } from '../src/checkpoint/state-dict.js';
import type { ImageU8 } from '../src/image/image-buffer.js';
import { randomImage, randomStateDict } from './helpers/random-hed.js';

const CHANNELS = [4, 8, 8, 16, 16];
const CONVS = [2, 2, 3, 3, 3];

/** CHW float64 tensors for the reference. */
interface Chw {
  c: number;
  h: number;
  w: number;
  d: Float64Array;
}

function conv(x: Chw, weight: Float32Array, bias: Float32Array, outC: number, k: number, relu: boolean): Chw {
  const { c, h, w, d } = x;
  const pad = (k - 1) / 2;
  const out = new Float64Array(outC * h * w);
  for (let o = 0; o < outC; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = bias[o];
        for (let i = 0; i < c; i++) {
          for (let ky = 0; ky < k; ky++) {
            const yy = y + ky - pad;
            if (yy < 0 || yy >= h) continue;
            for (let kx = 0; kx < k; kx++) {
              const xs = xx + kx - pad;
              if (xs < 0 || xs >= w) continue;
              s += weight[((o * c + i) * k + ky) * k + kx] * d[(i * h + yy) * w + xs];
            }
          }
        }
        out[(o * h + y) * w + xx] = relu ? Math.max(0, s) : s;
      }
    }
  }
  return { c: outC, h, w, d: out };
}

function maxPool(x: Chw): Chw {
  const h = Math.floor(x.h / 2);
  const w = Math.floor(x.w / 2);
  const out = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const at = (yy: number, xs: number) => x.d[(c * x.h + yy) * x.w + xs];
        out[(c * h + y) * w + xx] = Math.max(at(2 * y, 2 * xx), at(2 * y, 2 * xx + 1), at(2 * y + 1, 2 * xx), at(2 * y + 1, 2 * xx + 1));
      }
    }
  }
  return { c: x.c, h, w, d: out };
}

function referenceProjections(sd: StateDict, rgb: ImageU8): Float64Array[] {
  const { width: w, height: h } = rgb;
  const norm = sd.get('norm')!.data;
  let x: Chw = { c: 3, h, w, d: new Float64Array(3 * h * w) };
  for (let c = 0; c < 3; c++) for (let i = 0; i < h * w; i++) x.d[c * h * w + i] = rgb.data[i * 3 + c] - norm[c];
  const outs: Float64Array[] = [];
  CHANNELS.forEach((ch, b) => {
    if (b > 0) x = maxPool(x);
    for (let i = 0; i < CONVS[b]; i++) {
      x = conv(x, sd.get(`block${b + 1}.convs.${i}.weight`)!.data, sd.get(`block${b + 1}.convs.${i}.bias`)!.data, ch, 3, true);
    }
    const p = conv(x, sd.get(`block${b + 1}.projection.weight`)!.data, sd.get(`block${b + 1}.projection.bias`)!.data, 1, 1, false);
    outs.push(p.d);
  });
  return outs;
}

describe('HedNetwork (tfjs)', () => {
  beforeAll(async () => {
    const info = await initBackend();
    console.log(`network test backend: ${info.name}${info.simd === undefined ? '' : ` simd=${info.simd}`}`);
  });

  it('matches a float64 re-implementation of the PyTorch module on a random tiny checkpoint', async () => {
    const sd = randomStateDict(CHANNELS, 7);
    const net = HedNetwork.fromStateDict(sd);
    try {
      expect(net.architecture.blocks.map((b) => b.convs.length)).toEqual(CONVS);
      const img = randomImage(48, 32, 3);
      const got = await net.project(img);
      const want = referenceProjections(sd, img);
      expect(got.map((p) => [p.width, p.height, p.channels])).toEqual([
        [48, 32, 1],
        [24, 16, 1],
        [12, 8, 1],
        [6, 4, 1],
        [3, 2, 1],
      ]);
      for (let i = 0; i < 5; i++) {
        const scale = Math.max(1, ...Array.from(want[i], Math.abs));
        let worst = 0;
        for (let j = 0; j < want[i].length; j++) worst = Math.max(worst, Math.abs(got[i].data[j] - want[i][j]) / scale);
        expect(worst, `p${i + 1} relative error`).toBeLessThan(1e-5);
      }
    } finally {
      net.dispose();
    }
  });

  it('leaks no tensors over many runs and frees its weights on dispose', async () => {
    const before = tf.memory().numTensors;
    const net = HedNetwork.fromStateDict(randomStateDict(CHANNELS, 11));
    const withWeights = tf.memory().numTensors;
    expect(withWeights - before).toBe(net.weightTensorCount);
    const img = randomImage(64, 64, 5);
    for (let i = 0; i < 50; i++) await net.project(img);
    expect(tf.memory().numTensors).toBe(withWeights);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(net.project(img)).rejects.toMatchObject({ code: 'HED_DISPOSED' });
  });
});
