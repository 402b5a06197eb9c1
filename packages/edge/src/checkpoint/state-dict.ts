/** One tensor of a checkpoint: row-major float32 values (float16/bfloat16 storages are upcast exactly). */
export interface TensorData {
  /** Dimensions, outermost first (PyTorch order, e.g. OIHW for a conv weight). */
  shape: number[];
  /** `shape.reduce(*)` values in row-major (C) order. */
  data: Float32Array;
}

/** Tensors of a checkpoint by parameter name (e.g. `block1.convs.0.weight`), in file order. */
export type StateDict = Map<string, TensorData>;

/** Number of elements of a tensor with `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
