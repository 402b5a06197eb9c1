import { MAX_PICKLE_BYTES } from './checkpoint-limits.js';
import { corrupt } from './format-problem.js';
import { unpickle } from './pickle-machine.js';
import { buildTensorEntries } from './state-dict-builder.js';
import { StorageBudget } from './storage-budget.js';
import { DTYPE_SIZE } from './storage-dtype.js';
import type { TensorEntry } from './tensor-entry.js';
import { torchPickleHooks, type StorageRef } from './torch-pickle-objects.js';
import { ZipArchive, type ZipEntry } from './zip-archive.js';

/**
 * Reads a PyTorch ≥ 1.6 checkpoint (`torch.save` zip format): `<prefix>/data.pkl` (the pickle),
 * `<prefix>/data/<key>` (raw storages), `<prefix>/byteorder` (absent = little-endian).
 * Only the pickle is read now; a storage record is inflated when a tensor is loaded, and only when its
 * directory size is exactly what the pickle's storage declares (numel × element size), within a total budget.
 */
export function readTorchZip(bytes: Uint8Array): TensorEntry[] {
  const zip = new ZipArchive(bytes);
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    corrupt(pickles.length === 0 ? 'zip archive without <name>/data.pkl: not a torch.save file' : 'zip archive with several data.pkl records');
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorderEntry = zip.entries.get(`${prefix}byteorder`);
  let littleEndian = true;
  if (byteorderEntry) {
    if (byteorderEntry.size > 16) corrupt(`byteorder record of ${byteorderEntry.size} bytes`);
    const order = new TextDecoder().decode(zip.read(byteorderEntry)).trim();
    if (order !== 'little' && order !== 'big') corrupt(`byteorder record says '${order.slice(0, 20)}'`);
    littleEndian = order === 'little';
  }
  const pickleEntry: ZipEntry = zip.entries.get(pickles[0])!;
  if (pickleEntry.size > MAX_PICKLE_BYTES) {
    corrupt(`${pickleEntry.name} declares ${pickleEntry.size} bytes, more than the ${MAX_PICKLE_BYTES} any state-dict pickle needs`);
  }
  const { value } = unpickle(zip.read(pickleEntry), 0, torchPickleHooks('zip'));
  const storages = new Map<string, Uint8Array>();
  const declared = new Map<string, number>();
  const budget = new StorageBudget();
  // Metadata only: the record exists, its directory size is exactly what the storage needs, and all
  // storages together stay within the budget — all before any record is inflated.
  const checkStorage = (ref: StorageRef): ZipEntry => {
    const needed = ref.numel * DTYPE_SIZE[ref.dtype];
    const entry = zip.entries.get(`${prefix}data/${ref.key}`);
    if (!entry) corrupt(`storage record data/${ref.key} is missing from the zip`);
    if (entry.size !== needed) {
      corrupt(`storage record data/${ref.key} declares ${entry.size} bytes, its storage ${ref.numel} ${ref.dtype} elements (${needed} bytes)`);
    }
    const known = declared.get(ref.key);
    if (known === undefined) {
      budget.charge(ref.key, needed);
      declared.set(ref.key, needed);
    }
    return entry;
  };
  return buildTensorEntries(
    value,
    (ref) => {
      const entry = checkStorage(ref);
      let data = storages.get(ref.key);
      if (!data) {
        data = zip.read(entry);
        storages.set(ref.key, data);
      }
      return { data, littleEndian };
    },
    (ref) => void checkStorage(ref),
  );
}
