import { corrupt } from './format-problem.js';
import { PyDict, describePy } from './pickle-values.js';
import { checkTensorView, materializeTensor, type StorageBytes } from './tensor-materializer.js';
import type { TensorEntry } from './tensor-entry.js';
import { TensorRef, type StorageRef } from './torch-pickle-objects.js';

export type { StorageBytes } from './tensor-materializer.js';

/**
 * Turns the unpickled top object of a `torch.save` file into tensor entries: names, shapes and views are
 * checked now (no storage is read); each entry's `load()` fetches its storage through `storageBytes`.
 * Accepts a dict/OrderedDict of tensors, or a dict whose `state_dict` entry is one; a `module.` prefix
 * on every name (from `nn.DataParallel`) is removed. Non-tensor entries are ignored.
 */
export function buildTensorEntries(
  top: unknown,
  storageBytes: (ref: StorageRef) => StorageBytes,
  /** Checks a storage from its metadata (declared sizes) while the entries are built, before any is read. */
  checkStorage?: (ref: StorageRef) => void,
): TensorEntry[] {
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

  return tensors.map(([key, ref]) => {
    const numel = checkTensorView(key, ref);
    checkStorage?.(ref.storage);
    return { name: key.slice(strip), shape: [...ref.shape], numel, load: () => materializeTensor(key, ref, storageBytes(ref.storage)) };
  });
}
