/**
 * Load once, run many: a 200-element batch through one loaded TensorFlow.js network (tiny checkpoint)
 * leaves the tensor count exactly where it was and the heap flat; dispose frees the weights. (The engine is
 * forced to the TensorFlow.js backend in use: `auto` would pick onnx, which holds no tf tensors.)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.js';
import { loadHed } from '../src/hed.js';
import { decodeRgba } from '../src/image/decode-rgba.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '..', '..', '..', 'test', 'fixtures', 'hed');
const weights = path.join(fixtures, 'weights', 'hed-tiny-seed2-fp32.pth');
const input = path.join(fixtures, 'inputs', 'coffee-small.png');

describe('loadHed over a 200-element batch', () => {
  it('keeps tf.memory().numTensors unchanged and the heap flat', async () => {
    const backend = await initBackend();
    const before = tf.memory().numTensors;
    const hed = await loadHed({ weights, download: false, backend: backend.name });
    expect(hed.weights).toMatchObject({ source: 'explicit', channels: [4, 8, 8, 16, 16], nonStandard: true });
    const loaded = tf.memory().numTensors;
    expect(loaded).toBeGreaterThan(before);
    const image = await decodeRgba(input);
    // A small detect resolution keeps 200 runs quick; every step of the pipeline still runs.
    const options = { detectResolution: 128, imageResolution: 128 };
    const first = await hed.edgeElementFromImage(image, options);
    for (let i = 0; i < 20; i++) await hed.edgeElementFromImage(image, options);
    global.gc?.();
    const heapAfterWarmup = process.memoryUsage().heapUsed;
    for (let i = 0; i < 180; i++) {
      const r = await hed.edgeElementFromImage(image, options);
      if (i === 179) expect(Buffer.compare(r.png, first.png)).toBe(0);
    }
    global.gc?.();
    const heapGrowth = process.memoryUsage().heapUsed - heapAfterWarmup;
    console.log(`hed-memory: tensors ${loaded} before and after 200 runs; heap growth over the last 180 runs ${(heapGrowth / 1e6).toFixed(1)} MB`);
    expect(tf.memory().numTensors).toBe(loaded);
    expect(heapGrowth).toBeLessThan(64e6);
    hed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
