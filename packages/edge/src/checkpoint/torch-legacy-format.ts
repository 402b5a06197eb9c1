import { ByteCursor } from './byte-cursor.js';
import { corrupt } from './format-problem.js';
import { unpickle } from './pickle-machine.js';
import { buildTensorEntries } from './state-dict-builder.js';
import { DTYPE_SIZE, type StorageDtype } from './storage-dtype.js';
import type { TensorEntry } from './tensor-entry.js';
import { resolveTorchGlobal, torchPickleHooks } from './torch-pickle-objects.js';

/** Magic number the legacy `torch.save` format starts with. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/**
 * Reads a legacy (`_use_new_zipfile_serialization=False`) checkpoint: pickled magic number, protocol 1001,
 * sys-info, the main pickle (6-tuple storage ids), a pickled list of storage keys, then per key a little-endian
 * int64 element count followed by the storage's bytes (always little-endian, as torch writes them).
 * Storages are views into `bytes` (nothing is copied until a tensor is loaded).
 */
export function readTorchLegacy(bytes: Uint8Array): TensorEntry[] {
  const plain = { resolveGlobal: resolveTorchGlobal };
  const magic = unpickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) corrupt('legacy torch.save magic number missing');
  const protocol = unpickle(bytes, magic.end, plain);
  if (protocol.value !== LEGACY_PROTOCOL) corrupt(`legacy torch.save protocol ${String(protocol.value)}, expected ${LEGACY_PROTOCOL}`);
  const sysInfo = unpickle(bytes, protocol.end, plain);

  const dtypes = new Map<string, StorageDtype>();
  const hooks = torchPickleHooks('legacy');
  const main = unpickle(bytes, sysInfo.end, {
    resolveGlobal: hooks.resolveGlobal,
    persistentLoad(pid) {
      const ref = hooks.persistentLoad!(pid) as { key: string; dtype: StorageDtype };
      const known = dtypes.get(ref.key);
      if (known && known !== ref.dtype) corrupt(`storage ${ref.key} is used as both ${known} and ${ref.dtype}`);
      dtypes.set(ref.key, ref.dtype);
      return ref;
    },
  });
  const keyList = unpickle(bytes, main.end, plain);
  if (!Array.isArray(keyList.value)) corrupt('legacy storage key list missing');

  const storages = new Map<string, Uint8Array>();
  const c = new ByteCursor(bytes, keyList.end, bytes.length, 'legacy storage data');
  for (const key of keyList.value) {
    const name = String(key);
    const dtype = dtypes.get(name);
    if (!dtype) corrupt(`storage key ${name} in the key list is not used by any tensor`);
    const numel = c.i64();
    if (numel < 0) corrupt(`storage ${name} has a negative size`);
    storages.set(name, c.slice(numel * DTYPE_SIZE[dtype]));
  }
  return buildTensorEntries(main.value, (ref) => {
    const data = storages.get(ref.key);
    if (!data) corrupt(`storage ${ref.key} has no data after the pickle`);
    return { data, littleEndian: true };
  });
}
