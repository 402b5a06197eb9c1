import { MAX_TOTAL_ELEMENTS } from './checkpoint-limits.js';
import { corrupt } from './format-problem.js';

/**
 * One tensor of a checkpoint as its format describes it, before any of its data is read: name and shape
 * are known, `load()` reads the storage and materialises the float32 values. `parseCheckpoint` validates all
 * names and shapes and the total element count first, and only then loads.
 */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** Elements of the dense tensor (≤ {@link MAX_TOTAL_ELEMENTS}). */
  numel: number;
  load(): Float32Array;
}

/**
 * Elements of a tensor of `shape`, refused as corrupt when over the whole-checkpoint budget (a zero
 * dimension makes it 0 whatever the others say).
 */
export function checkedElementCount(name: string, shape: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > MAX_TOTAL_ELEMENTS) {
      corrupt(`tensor '${name}' has shape ${describeShape(shape)}, more than the ${MAX_TOTAL_ELEMENTS} elements a whole HED checkpoint may hold`);
    }
  }
  return n;
}

/** `[a, b, c]`, cut short for absurd ranks so an error message stays one readable line. */
export function describeShape(shape: readonly number[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(', ')}, … (${shape.length} dimensions)]` : `[${shape.join(', ')}]`;
}
