/**
 * Engine choice: option, then BACKDROP_HED_ENGINE, then BACKDROP_TF_BACKEND (older name), then auto;
 * auto takes onnx where onnxruntime-node runs; a forced TensorFlow.js engine still works; the one-line
 * summary says which engine runs and why.
 */
import { describe, expect, it } from 'vitest';
import type { StateDict } from '../src/checkpoint/state-dict.js';
import { loadOnnxRuntime } from '../src/engines/onnx/load-onnxruntime.js';
import { loadHedNetwork, parseEngineChoice, resolveEngineChoice } from '../src/engines/select-engine.js';

const ortProblem = await loadOnnxRuntime().then(
  () => undefined,
  (err: Error) => err.message,
);
if (ortProblem) console.log(`engine-select: onnx cases skipped — onnxruntime-node cannot run here (${ortProblem})`);

function smallStateDict(): StateDict {
  const sd: StateDict = new Map();
  const fill = (shape: number[], v: number) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
  sd.set('norm', fill([1, 3, 1, 1], 100));
  const convs = [2, 2, 3, 3, 3];
  let inC = 3;
  for (let b = 0; b < 5; b++) {
    for (let i = 0; i < convs[b]; i++) {
      sd.set(`block${b + 1}.convs.${i}.weight`, fill([2, i === 0 ? inC : 2, 3, 3], 0.01));
      sd.set(`block${b + 1}.convs.${i}.bias`, fill([2], 0.5));
    }
    sd.set(`block${b + 1}.projection.weight`, fill([1, 2, 1, 1], 1));
    sd.set(`block${b + 1}.projection.bias`, fill([1], 0));
    inC = 2;
  }
  return sd;
}

const image = { data: new Uint8Array(32 * 32 * 3).fill(200), width: 32, height: 32, channels: 3 as const };

describe('engine choice', () => {
  it('takes the option, then BACKDROP_HED_ENGINE, then BACKDROP_TF_BACKEND, then auto', () => {
    expect(resolveEngineChoice('wasm', { BACKDROP_HED_ENGINE: 'onnx' })).toEqual({ choice: 'wasm', chosenBy: '--backend' });
    expect(resolveEngineChoice(undefined, { BACKDROP_HED_ENGINE: ' ONNX ', BACKDROP_TF_BACKEND: 'cpu' })).toEqual({
      choice: 'onnx',
      chosenBy: 'BACKDROP_HED_ENGINE',
    });
    expect(resolveEngineChoice(undefined, { BACKDROP_TF_BACKEND: 'wasm' })).toEqual({ choice: 'wasm', chosenBy: 'BACKDROP_TF_BACKEND' });
    expect(resolveEngineChoice(undefined, {})).toEqual({ choice: 'auto', chosenBy: 'auto' });
    expect(parseEngineChoice('auto', 'x')).toBe('auto');
  });

  it('rejects an unknown engine with a user error naming where it came from', () => {
    expect(() => resolveEngineChoice(undefined, { BACKDROP_HED_ENGINE: 'gpu' })).toThrow(
      expect.objectContaining({ code: 'HED_BACKEND_UNKNOWN', userError: true, message: expect.stringContaining('BACKDROP_HED_ENGINE') }),
    );
  });

  it('checks the checkpoint before trying any engine', async () => {
    const sd = smallStateDict();
    sd.set('extra', { shape: [1], data: new Float32Array(1) });
    await expect(loadHedNetwork(sd, { backend: 'auto', env: {} })).rejects.toMatchObject({ code: 'HED_CHECKPOINT_ARCHITECTURE' });
  });

  it.skipIf(ortProblem !== undefined)('auto runs onnx with the threads asked for, and says so in one line', async () => {
    const { network, engine } = await loadHedNetwork(smallStateDict(), { env: {}, threads: 2 });
    try {
      expect(engine).toMatchObject({ name: 'onnx', threads: 2, skipped: [], chosenBy: 'auto' });
      expect(engine.summary).toMatch(/^HED engine: onnx \(onnxruntime-node \d+\.\d+\.\d+, 2 threads per image; auto\)$/);
      const out = await network.project(image);
      expect(out.map((p) => p.width)).toEqual([32, 16, 8, 4, 2]);
    } finally {
      network.dispose();
    }
  });

  it('the old BACKDROP_TF_BACKEND still forces a TensorFlow.js engine, with the same outputs as onnx', async () => {
    const sd = smallStateDict();
    const { network, engine } = await loadHedNetwork(sd, { env: { BACKDROP_TF_BACKEND: 'wasm' } });
    try {
      expect(engine).toMatchObject({ name: 'wasm', chosenBy: 'BACKDROP_TF_BACKEND' });
      expect(engine.summary).toContain('set by BACKDROP_TF_BACKEND');
      const tf = await network.project(image);
      if (ortProblem) return;
      const onnx = await loadHedNetwork(sd, { backend: 'onnx' });
      const o = await onnx.network.project(image);
      onnx.network.dispose();
      o.forEach((p, i) => p.data.forEach((v, k) => expect(Math.abs(v - tf[i].data[k])).toBeLessThan(1e-4)));
    } finally {
      network.dispose();
    }
  });

  it('a forced engine that cannot load is a user error, not a silent fallback', async () => {
    // This process already runs tfjs on wasm (the case above), so tfjs-node cannot load here whatever is installed.
    await expect(loadHedNetwork(smallStateDict(), { backend: 'node', env: {} })).rejects.toMatchObject({ userError: true });
  });
});

describe('planHedWorkers', () => {
  it('gives onnx one network on every core and TensorFlow.js one worker per core', async () => {
    const { planHedWorkers } = await import('../src/engines/worker-plan.js');
    expect(await planHedWorkers({ backend: 'onnx', cores: 4 })).toEqual({ workers: 1, threadsPerWorker: 4 });
    expect(await planHedWorkers({ backend: 'wasm', cores: 4 })).toEqual({ workers: 4, threadsPerWorker: 1 });
    expect(await planHedWorkers({ env: { BACKDROP_TF_BACKEND: 'cpu' }, cores: 2 })).toEqual({ workers: 2, threadsPerWorker: 1 });
    const auto = await planHedWorkers({ env: {}, cores: 2 });
    expect(auto).toEqual(ortProblem ? { workers: 2, threadsPerWorker: 1 } : { workers: 1, threadsPerWorker: 2 });
  });
});
