import { corrupt } from './format-problem.js';
import { DTYPE_SIZE, decodeToFloat32, elementReader } from './storage-dtype.js';
import { checkedElementCount, describeShape } from './tensor-entry.js';
import type { StorageRef, TensorRef } from './torch-pickle-objects.js';

/** The raw bytes of a root storage record and their byte order. */
export interface StorageBytes {
  data: Uint8Array;
  littleEndian: boolean;
}

/**
 * Checks a strided view against its storage from metadata alone (no data read): the dense element count
 * (within the whole-checkpoint budget) and that the furthest element the view reaches lies inside the storage.
 * @returns the dense element count.
 */
export function checkTensorView(name: string, t: TensorRef): number {
  const numel = checkedElementCount(name, t.shape);
  if (numel === 0) return 0;
  let last = t.offset;
  for (let d = 0; d < t.shape.length; d++) last += (t.shape[d] - 1) * t.stride[d];
  if (!Number.isSafeInteger(last) || last >= t.storage.numel) {
    corrupt(`tensor '${name}' ${describeShape(t.shape)} reaches element ${last} of a storage of ${t.storage.numel}`);
  }
  return numel;
}

/**
 * Copies a strided tensor view of `storage` (whose bytes are `bytes`) into dense row-major float32 values.
 * Call {@link checkTensorView} first. Work and memory are proportional to the tensor's own element count,
 * never to the span its strides cover: a non-contiguous view is gathered element by element.
 */
export function materializeTensor(name: string, t: TensorRef, bytes: StorageBytes): Float32Array {
  const numel = checkTensorView(name, t);
  if (numel === 0) return new Float32Array(0);
  const storage: StorageRef = t.storage;
  const size = DTYPE_SIZE[storage.dtype];
  const base = (storage.elementOffset + t.offset) * size;
  if (isRowMajor(t.shape, t.stride)) return decodeToFloat32(bytes.data, base, numel, storage.dtype, bytes.littleEndian);
  let lastByte = base;
  for (let d = 0; d < t.shape.length; d++) lastByte += (t.shape[d] - 1) * t.stride[d] * size;
  if (lastByte + size > bytes.data.length) {
    corrupt(`storage data of tensor '${name}' ends early: byte ${lastByte + size} needed, ${bytes.data.length} present`);
  }
  return gather(elementReader(bytes.data, storage.dtype, bytes.littleEndian), base, size, t.shape, t.stride, numel);
}

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Dense copy of a non-contiguous view whose first element is at byte `base`. */
function gather(read: (byteOffset: number) => number, base: number, size: number, shape: readonly number[], stride: readonly number[], numel: number): Float32Array {
  const out = new Float32Array(numel);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  const innerSize = shape[rank - 1];
  const innerStep = stride[rank - 1] * size;
  let src = base;
  for (let o = 0; o < numel; o += innerSize) {
    for (let i = 0, s = src; i < innerSize; i++, s += innerStep) out[o + i] = read(s);
    // advance the outer index like an odometer
    for (let d = rank - 2; d >= 0; d--) {
      index[d]++;
      src += stride[d] * size;
      if (index[d] < shape[d]) break;
      src -= stride[d] * size * shape[d];
      index[d] = 0;
    }
  }
  return out;
}
