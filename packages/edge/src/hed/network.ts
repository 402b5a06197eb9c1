/**
 * The ControlNetHED (Apache-2.0 HED) network in TensorFlow.js, float32.
 *
 * `h = x − norm`; five blocks of 3×3 convs (stride 1, zero padding 1, bias, ReLU after each),
 * blocks 2–5 starting with a 2×2 max-pool of stride 2; after each block a 1×1 conv C→1 with bias
 * gives the side output ("projection") p1..p5. Channel counts come from the checkpoint, so the
 * tiny test checkpoints (4, 8, 8, 16, 16) run through the same code as the real one (64…512).
 * Weights are converted once from PyTorch OIHW to TensorFlow HWIO and kept as tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { inferHedArchitecture, type HedArchitecture } from '../checkpoint/hed-architecture.js';
import type { StateDict, TensorData } from '../checkpoint/state-dict.js';
import type { ImageF32, ImageU8 } from '../image/image-buffer.js';
import { EdgeError } from '../errors.js';

interface ConvWeights {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface BlockWeights {
  convs: ConvWeights[];
  projection: ConvWeights;
}

/** OIHW (PyTorch) → HWIO (TensorFlow) as a new Float32Array. */
function oihwToHwio(t: TensorData): { data: Float32Array; shape: [number, number, number, number] } {
  const [o, i, kh, kw] = t.shape;
  const src = t.data;
  const dst = new Float32Array(src.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          dst[((y * kw + x) * i + ic) * o + oc] = src[((oc * i + ic) * kh + y) * kw + x];
        }
      }
    }
  }
  return { data: dst, shape: [kh, kw, i, o] };
}

function tensorOf(sd: StateDict, key: string): TensorData {
  const t = sd.get(key);
  if (!t) {
    throw new EdgeError('HED_CHECKPOINT_ARCHITECTURE', `The checkpoint has no tensor "${key}"; it is not a ControlNetHED checkpoint.`, {
      userError: true,
    });
  }
  return t;
}

function convWeights(sd: StateDict, prefix: string): ConvWeights {
  const w = oihwToHwio(tensorOf(sd, `${prefix}.weight`));
  const b = tensorOf(sd, `${prefix}.bias`);
  return { filter: tf.tensor4d(w.data, w.shape, 'float32'), bias: tf.tensor1d(b.data, 'float32') };
}

/** The five side outputs of one forward pass, p1 (full detection size) first. */
export type HedProjections = ImageF32[];

/** A loaded HED network: create once, run {@link HedNetwork.project} many times, then {@link HedNetwork.dispose}. */
export class HedNetwork {
  private readonly norm: tf.Tensor4D;
  private readonly blocks: BlockWeights[];
  private disposed = false;

  private constructor(
    /** Channel layout found in the checkpoint. */
    readonly architecture: HedArchitecture,
    norm: tf.Tensor4D,
    blocks: BlockWeights[],
  ) {
    this.norm = norm;
    this.blocks = blocks;
  }

  /** Builds the network from a PyTorch state dict (throws `HED_CHECKPOINT_ARCHITECTURE` for another model). */
  static fromStateDict(sd: StateDict): HedNetwork {
    const architecture = inferHedArchitecture(sd);
    const norm = tensorOf(sd, 'norm');
    const tensors: tf.Tensor[] = [];
    try {
      const normT = tf.tensor4d(norm.data, [1, 1, 1, 3], 'float32');
      tensors.push(normT);
      const blocks = architecture.blocks.map((block, b): BlockWeights => {
        const convs = block.convs.map((_, i) => convWeights(sd, `block${b + 1}.convs.${i}`));
        const projection = convWeights(sd, `block${b + 1}.projection`);
        for (const c of [...convs, projection]) tensors.push(c.filter, c.bias);
        return { convs, projection };
      });
      return new HedNetwork(architecture, normT, blocks);
    } catch (err) {
      for (const t of tensors) t.dispose();
      throw err;
    }
  }

  /** Number of tensors this network holds (its weights); stays constant across runs. */
  get weightTensorCount(): number {
    return 1 + this.blocks.reduce((n, b) => n + 2 * (b.convs.length + 1), 0);
  }

  /**
   * Runs the network on an RGB image (3 channels, 0..255; sides multiples of 16) and returns the five
   * single-channel float32 projections p1..p5 at their own sizes (H, H/2, … H/16).
   */
  async project(rgb: ImageU8): Promise<HedProjections> {
    if (this.disposed) throw new EdgeError('HED_DISPOSED', 'This HED network was disposed; load it again.');
    if (rgb.channels !== 3) throw new EdgeError('HED_INPUT_CHANNELS', `The network needs a 3-channel RGB image, got ${rgb.channels} channels.`);
    const { width, height } = rgb;
    const input = Float32Array.from(rgb.data);
    const outputs = tf.tidy(() => {
      const x = tf.tensor4d(input, [1, height, width, 3], 'float32');
      let h: tf.Tensor4D = tf.sub(x, this.norm);
      const projections: tf.Tensor4D[] = [];
      this.blocks.forEach((block, b) => {
        if (b > 0) h = tf.maxPool(h, 2, 2, 'valid');
        for (const conv of block.convs) {
          h = tf.fused.conv2d({ x: h, filter: conv.filter, strides: 1, pad: 'same', bias: conv.bias, activation: 'relu' });
        }
        projections.push(tf.fused.conv2d({ x: h, filter: block.projection.filter, strides: 1, pad: 'valid', bias: block.projection.bias }));
      });
      return projections;
    });
    try {
      const result: HedProjections = [];
      for (const p of outputs) {
        const [, ph, pw] = p.shape;
        const data = (await p.data()) as Float32Array;
        result.push({ data, width: pw, height: ph, channels: 1 });
      }
      return result;
    } finally {
      for (const p of outputs) p.dispose();
    }
  }

  /** Frees the weight tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.norm.dispose();
    for (const b of this.blocks) {
      for (const c of [...b.convs, b.projection]) {
        c.filter.dispose();
        c.bias.dispose();
      }
    }
  }
}
