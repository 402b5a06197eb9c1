import { corrupt } from './format-problem.js';
import type { TensorData } from './state-dict.js';
import type { TensorRef } from './torch-pickle-objects.js';

/** Largest tensor accepted (1 GiB of float32): protects against absurd shapes in damaged files. */
const MAX_TENSOR_ELEMENTS = 2 ** 28;

/**
 * Copies a strided tensor view into a dense row-major TensorData.
 * `readElements(start, count)` decodes `count` elements of the view's storage from element `start`
 * (relative to the storage the view was built on).
 */
export function materializeTensor(
  name: string,
  t: TensorRef,
  readElements: (start: number, count: number) => Float32Array,
): TensorData {
  let numel = 1;
  let last = t.offset;
  for (let d = 0; d < t.shape.length; d++) {
    numel *= t.shape[d];
    if (t.shape[d] > 0) last += (t.shape[d] - 1) * t.stride[d];
  }
  if (numel > MAX_TENSOR_ELEMENTS) corrupt(`tensor '${name}' has an implausible shape [${t.shape.join(', ')}]`);
  const shape = [...t.shape];
  if (numel === 0) return { shape, data: new Float32Array(0) };
  if (last >= t.storage.numel) {
    corrupt(`tensor '${name}' [${shape.join(', ')}] reaches element ${last} of a storage of ${t.storage.numel}`);
  }
  const span = readElements(t.offset, last - t.offset + 1);
  if (isRowMajor(t.shape, t.stride)) return { shape, data: span };
  return { shape, data: gather(span, t.shape, t.stride, numel) };
}

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Dense copy of a non-contiguous view; `span[0]` is the view's first element. */
function gather(span: Float32Array, shape: readonly number[], stride: readonly number[], numel: number): Float32Array {
  const out = new Float32Array(numel);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const innerSize = shape[rank - 1];
  const innerStride = stride[rank - 1];
  let src = 0;
  for (let o = 0; o < numel; o += innerSize) {
    for (let i = 0, s = src; i < innerSize; i++, s += innerStride) out[o + i] = span[s];
    // advance the outer index like an odometer
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      src += stride[d];
      if (index[d] < shape[d]) break;
      src -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
