/**
 * The ONNX graph written from a checkpoint, run by onnxruntime-node, against the TensorFlow.js network on
 * the same tensors: the tiny checkpoints of both formats (zip fp32, legacy fp16), odd image sizes, and a
 * channel layout unlike any shipped checkpoint. Also the protobuf varints the writer relies on.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { parseCheckpoint } from '../src/checkpoint/load-checkpoint.js';
import type { StateDict } from '../src/checkpoint/state-dict.js';
import type { HedProjections } from '../src/engines/network-engine.js';
import { buildHedOnnxModel } from '../src/engines/onnx/hed-onnx-graph.js';
import { loadOnnxRuntime } from '../src/engines/onnx/load-onnxruntime.js';
import { OnnxHedNetwork } from '../src/engines/onnx/onnx-network.js';
import { ThreadedOnnxHedNetwork } from '../src/engines/onnx/threaded-onnx-network.js';
import { encodeVarint } from '../src/engines/onnx/protobuf-writer.js';
import { HedNetwork } from '../src/hed/network.js';
import type { ImageU8 } from '../src/image/image-buffer.js';
import { randomImage, randomStateDict } from './helpers/random-hed.js';

const weightsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/hed/weights');

const ortProblem = await loadOnnxRuntime().then(
  () => undefined,
  (err: Error) => err.message,
);
if (ortProblem) console.log(`onnx-network: skipped — onnxruntime-node cannot run here (${ortProblem})`);

/** Largest difference relative to the largest value of each projection; sizes must match exactly. */
function compare(got: HedProjections, want: HedProjections): number {
  expect(got.map((p) => [p.width, p.height, p.channels])).toEqual(want.map((p) => [p.width, p.height, p.channels]));
  let worst = 0;
  got.forEach((p, i) => {
    const w = want[i].data;
    const scale = Math.max(1, ...Array.from(w, Math.abs));
    for (let k = 0; k < w.length; k++) worst = Math.max(worst, Math.abs(p.data[k] - w[k]) / scale);
  });
  return worst;
}

async function bothEngines(sd: StateDict, image: ImageU8, threads = 1): Promise<number> {
  const onnx = await OnnxHedNetwork.create(sd, { threads });
  const tfjs = HedNetwork.fromStateDict(sd);
  try {
    return compare(await onnx.project(image), await tfjs.project(image));
  } finally {
    onnx.dispose();
    tfjs.dispose();
  }
}

describe('protobuf varints', () => {
  it('encodes as the wire format does', () => {
    expect([...encodeVarint(0)]).toEqual([0]);
    expect([...encodeVarint(1)]).toEqual([1]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
    expect([...encodeVarint(2 ** 32)]).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect([...encodeVarint(-1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
  });
});

describe.skipIf(ortProblem !== undefined)('ONNX HED graph through onnxruntime-node', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  for (const file of ['hed-tiny-seed2-fp32.pth', 'hed-tiny-seed3-fp16-legacy.pth']) {
    it.skipIf(!existsSync(path.join(weightsDir, file)))(`matches the tfjs network on ${file} at odd sizes`, async () => {
      const sd = parseCheckpoint(readFileSync(path.join(weightsDir, file)), file);
      for (const [w, h, seed] of [
        [53, 37, 1],
        [31, 47, 2],
        [96, 64, 3],
      ]) {
        expect(await bothEngines(sd, randomImage(w, h, seed)), `${file} at ${w}×${h}`).toBeLessThan(1e-5);
      }
    });
  }

  it('builds any channel layout the loader accepts, and gives the same result with several threads', async () => {
    const sd = randomStateDict([3, 5, 7, 2, 9], 11);
    expect(await bothEngines(sd, randomImage(45, 34, 4))).toBeLessThan(1e-5);
    expect(await bothEngines(sd, randomImage(64, 48, 5), 2)).toBeLessThan(1e-5);
  });

  it('copies the weights: the model does not change when the state dict is changed afterwards', async () => {
    const sd = randomStateDict([4, 4, 4, 4, 4], 12);
    const image = randomImage(32, 32, 6);
    const net = await OnnxHedNetwork.create(sd);
    const before = await net.project(image);
    for (const t of sd.values()) t.data.fill(0);
    expect(compare(await net.project(image), before)).toBe(0);
    net.dispose();
    await expect(net.project(image)).rejects.toMatchObject({ code: 'HED_DISPOSED' });
  });

  it('on a thread of its own: the same projections, passes in flight together, disposal fails what is queued', async () => {
    const sd = randomStateDict([4, 8, 8, 16, 16], 14);
    const inThread = await OnnxHedNetwork.create(sd, { threads: 1 });
    const threaded = await ThreadedOnnxHedNetwork.create(sd, { threads: 1 });
    try {
      expect(threaded.offThread).toBe(true);
      const images = [randomImage(53, 37, 7), randomImage(96, 64, 8), randomImage(31, 47, 9)];
      const together = await Promise.all(images.map((image) => threaded.project(image)));
      for (let i = 0; i < images.length; i++) {
        expect(compare(together[i], await inThread.project(images[i])), `image ${i}`).toBe(0);
        expect(images[i].data.byteLength, 'the caller keeps its image').toBeGreaterThan(0);
      }
      const queued = [threaded.project(images[1]), threaded.project(images[2])];
      threaded.dispose();
      // Whatever had not come back is failed, never left hanging.
      for (const s of await Promise.allSettled(queued)) expect(s).toMatchObject({ status: 'rejected', reason: { code: 'HED_DISPOSED' } });
      await expect(threaded.project(images[0])).rejects.toMatchObject({ code: 'HED_DISPOSED' });
    } finally {
      inThread.dispose();
      threaded.dispose();
    }
  });

  it('rejects a checkpoint of another model before writing anything', () => {
    const sd = randomStateDict([4, 4, 4, 4, 4], 13);
    sd.delete('block3.convs.1.bias');
    expect(() => buildHedOnnxModel(sd)).toThrow(expect.objectContaining({ code: 'HED_CHECKPOINT_ARCHITECTURE' }));
  });
});
