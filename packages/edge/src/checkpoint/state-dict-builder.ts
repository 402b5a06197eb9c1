import { corrupt } from './format-problem.js';
import { PyDict, describePy } from './pickle-values.js';
import type { StateDict } from './state-dict.js';
import { DTYPE_SIZE, decodeToFloat32 } from './storage-dtype.js';
import { materializeTensor } from './tensor-materializer.js';
import { TensorRef, type StorageRef } from './torch-pickle-objects.js';

/** The raw bytes of a root storage record and their byte order. */
export interface StorageBytes {
  data: Uint8Array;
  littleEndian: boolean;
}

/**
 * Turns the unpickled top object of a `torch.save` file into a StateDict.
 * Accepts a dict/OrderedDict of tensors, or a dict whose `state_dict` entry is one; a `module.` prefix
 * on every name (from `nn.DataParallel`) is removed. Non-tensor entries are ignored.
 */
export function buildStateDict(top: unknown, storageBytes: (ref: StorageRef) => StorageBytes): StateDict {
  if (!(top instanceof PyDict)) corrupt(`the pickle holds ${describePy(top)}, not a state dict`);
  let dict = top;
  const wrapped = dict.entries.get('state_dict');
  if (wrapped instanceof PyDict && ![...dict.entries.values()].some((v) => v instanceof TensorRef)) dict = wrapped;

  const tensors: [string, TensorRef][] = [];
  for (const [key, value] of dict.entries) {
    if (value instanceof TensorRef) {
      if (typeof key !== 'string') corrupt(`tensor stored under the non-string key ${describePy(key)}`);
      tensors.push([key, value]);
    }
  }
  if (tensors.length === 0) corrupt('the state dict holds no tensors');
  const strip = tensors.every(([k]) => k.startsWith('module.')) ? 'module.'.length : 0;

  const sd: StateDict = new Map();
  for (const [key, ref] of tensors) {
    const { storage } = ref;
    const size = DTYPE_SIZE[storage.dtype];
    const { data, littleEndian } = storageBytes(storage);
    const tensor = materializeTensor(key, ref, (start, count) =>
      decodeToFloat32(data, (storage.elementOffset + start) * size, count, storage.dtype, littleEndian));
    sd.set(key.slice(strip), tensor);
  }
  return sd;
}
