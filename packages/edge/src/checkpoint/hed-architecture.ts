import { CheckpointArchitectureError } from './checkpoint-errors.js';
import { elementCount, type StateDict } from './state-dict.js';

/** One 3×3 convolution of a HED block. */
export interface HedConvShape {
  inChannels: number;
  outChannels: number;
}

/** Channel layout of a ControlNetHED network as found in a checkpoint (5 blocks of 2, 2, 3, 3, 3 convs). */
export interface HedArchitecture {
  blocks: { convs: HedConvShape[] }[];
  /** Total number of weights and biases (14,716,168 for the published ControlNetHED.pth). */
  parameterCount: number;
}

/** Convolutions per block of ControlNetHED (VGG-16 style). */
export const HED_BLOCK_CONV_COUNTS: readonly number[] = [2, 2, 3, 3, 3];

/** The names of every tensor a ControlNetHED state dict holds, in canonical order (37). */
export function hedTensorNames(): string[] {
  const names = ['norm'];
  HED_BLOCK_CONV_COUNTS.forEach((n, b) => {
    for (let i = 0; i < n; i++) names.push(`block${b + 1}.convs.${i}.weight`, `block${b + 1}.convs.${i}.bias`);
    names.push(`block${b + 1}.projection.weight`, `block${b + 1}.projection.bias`);
  });
  return names;
}

/**
 * Reads the channel layout from the tensor shapes and checks that the state dict is exactly a ControlNetHED
 * network: `norm` [1,3,1,1]; `block{1..5}.convs.{i}.weight` [out,in,3,3] with `in` chaining from 3 and
 * `.bias` [out]; `block{1..5}.projection.weight` [1,C,1,1] and `.bias` [1].
 * Throws `HED_CHECKPOINT_ARCHITECTURE` naming the first missing, mis-shaped or unexpected tensor.
 */
export function inferHedArchitecture(sd: StateDict, sourceName?: string): HedArchitecture {
  return checkHedShapes(new Map([...sd].map(([name, t]) => [name, t.shape])), sourceName);
}

/**
 * {@link inferHedArchitecture} on names and shapes alone, so a checkpoint can be checked before any tensor
 * data is read (`parseHedCheckpoint`). Throws `HED_CHECKPOINT_ARCHITECTURE` like it.
 */
export function checkHedShapes(shapes: ReadonlyMap<string, readonly number[]>, sourceName?: string): HedArchitecture {
  const sd = shapes;
  const names = hedTensorNames();
  const fail = (tensor: string, detail: string): never => {
    throw new CheckpointArchitectureError(sourceName, tensor, detail);
  };
  if (!names.some((n) => sd.has(n))) {
    const seen = [...sd.keys()]
      .slice(0, 3)
      .map((n) => `'${shortName(n)}'`)
      .join(', ');
    fail('norm', `it has none of the HED tensors (norm, block1.convs.0.weight, …)${seen ? `; its tensors are named like ${seen}` : ''}`);
  }
  const get = (name: string): { shape: readonly number[] } => {
    const shape = sd.get(name) ?? fail(name, `tensor '${name}' is missing`);
    return { shape };
  };
  const expect = (name: string, want: (number | string)[]): { shape: readonly number[] } => {
    const t = get(name);
    const ok = t.shape.length === want.length && want.every((w, i) => (typeof w === 'string' ? t.shape[i] >= 1 : t.shape[i] === w));
    if (!ok) {
      const shown = t.shape.length > 8 ? `[${t.shape.slice(0, 8).join(', ')}, …]` : `[${t.shape.join(', ')}]`;
      fail(name, `tensor '${name}' has shape ${shown}, expected [${want.join(', ')}]`);
    }
    return t;
  };

  let parameterCount = 0;
  const count = (t: { shape: readonly number[] }) => (parameterCount += elementCount(t.shape));
  count(expect('norm', [1, 3, 1, 1]));
  let channels = 3;
  const blocks = HED_BLOCK_CONV_COUNTS.map((n, b) => {
    const convs: HedConvShape[] = [];
    for (let i = 0; i < n; i++) {
      const prefix = `block${b + 1}.convs.${i}`;
      const weight = expect(`${prefix}.weight`, ['out', channels, 3, 3]);
      count(weight);
      const outChannels = weight.shape[0];
      count(expect(`${prefix}.bias`, [outChannels]));
      convs.push({ inChannels: channels, outChannels });
      channels = outChannels;
    }
    count(expect(`block${b + 1}.projection.weight`, [1, channels, 1, 1]));
    count(expect(`block${b + 1}.projection.bias`, [1]));
    return { convs };
  });
  const expected = new Set(names);
  for (const name of sd.keys()) {
    if (!expected.has(name)) fail(shortName(name), `it has the unexpected tensor '${shortName(name)}'`);
  }
  return { blocks, parameterCount };
}

/** A tensor name as shown in messages: a crafted file's names can be megabytes long. */
function shortName(name: string): string {
  return name.length > 80 ? `${name.slice(0, 80)}…` : name;
}
