import { describe, expect, it } from 'vitest';
import { CheckpointArchitectureError } from '../../src/checkpoint/checkpoint-errors.js';
import { hedTensorNames, inferHedArchitecture } from '../../src/checkpoint/hed-architecture.js';
import { loadCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import type { StateDict } from '../../src/checkpoint/state-dict.js';
import { TINY_FP32_ZIP } from './checkpoint-paths.js';

function archError(sd: StateDict): CheckpointArchitectureError {
  try {
    inferHedArchitecture(sd, 'other.pth');
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointArchitectureError);
    return e as CheckpointArchitectureError;
  }
  throw new Error('inferHedArchitecture accepted a wrong architecture');
}

const zeros = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe('inferHedArchitecture', () => {
  it('lists the 37 canonical tensor names', () => {
    const names = hedTensorNames();
    expect(names).toHaveLength(37);
    expect(names).toContain('block3.convs.2.weight');
    expect(names).not.toContain('block2.convs.2.weight');
  });

  it('names a missing tensor', async () => {
    const sd = await loadCheckpoint(TINY_FP32_ZIP);
    sd.delete('block4.convs.2.bias');
    const err = archError(sd);
    expect(err.code).toBe('HED_CHECKPOINT_ARCHITECTURE');
    expect(err.userError).toBe(true);
    expect(err.tensorName).toBe('block4.convs.2.bias');
    expect(err.message).toMatch(/other\.pth.*'block4\.convs\.2\.bias' is missing/);
  });

  it('names a mis-shaped tensor and says what was expected', async () => {
    const sd = await loadCheckpoint(TINY_FP32_ZIP);
    sd.set('norm', zeros([1, 4, 1, 1]));
    expect(archError(sd).message).toContain("tensor 'norm' has shape [1, 4, 1, 1], expected [1, 3, 1, 1]");
    const sd2 = await loadCheckpoint(TINY_FP32_ZIP);
    sd2.set('block3.convs.0.weight', zeros([8, 7, 3, 3])); // block 2 ends with 8 channels
    expect(archError(sd2).message).toContain("'block3.convs.0.weight' has shape [8, 7, 3, 3], expected [out, 8, 3, 3]");
    const sd3 = await loadCheckpoint(TINY_FP32_ZIP);
    sd3.set('block2.convs.1.weight', zeros([8, 8, 5, 5]));
    expect(archError(sd3).tensorName).toBe('block2.convs.1.weight');
    const sd4 = await loadCheckpoint(TINY_FP32_ZIP);
    sd4.set('block5.projection.weight', zeros([2, 16, 1, 1]));
    expect(archError(sd4).message).toContain('expected [1, 16, 1, 1]');
  });

  it('names an unexpected extra tensor (a fourth conv in block 3)', async () => {
    const sd = await loadCheckpoint(TINY_FP32_ZIP);
    sd.set('block3.convs.3.weight', zeros([8, 8, 3, 3]));
    const err = archError(sd);
    expect(err.tensorName).toBe('block3.convs.3.weight');
    expect(err.message).toContain("unexpected tensor 'block3.convs.3.weight'");
  });

  it('says clearly when the checkpoint is a different model altogether', () => {
    const sd: StateDict = new Map([
      ['features.0.weight', zeros([64, 3, 3, 3])],
      ['classifier.weight', zeros([10, 64])],
    ]);
    const err = archError(sd);
    expect(err.message).toContain('none of the HED tensors');
    expect(err.message).toContain("'features.0.weight'");
  });
});
