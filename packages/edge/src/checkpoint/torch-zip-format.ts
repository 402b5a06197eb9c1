import { corrupt } from './format-problem.js';
import { unpickle } from './pickle-machine.js';
import type { StateDict } from './state-dict.js';
import { buildStateDict } from './state-dict-builder.js';
import { torchPickleHooks } from './torch-pickle-objects.js';
import { ZipArchive } from './zip-archive.js';

/**
 * Reads a PyTorch ≥ 1.6 checkpoint (`torch.save` zip format): `<prefix>/data.pkl` (the pickle),
 * `<prefix>/data/<key>` (raw storages), `<prefix>/byteorder` (absent = little-endian).
 */
export function readTorchZip(bytes: Uint8Array): StateDict {
  const zip = new ZipArchive(bytes);
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    corrupt(pickles.length === 0 ? 'zip archive without <name>/data.pkl: not a torch.save file' : 'zip archive with several data.pkl records');
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorderEntry = zip.entries.get(`${prefix}byteorder`);
  let littleEndian = true;
  if (byteorderEntry) {
    const order = new TextDecoder().decode(zip.read(byteorderEntry)).trim();
    if (order !== 'little' && order !== 'big') corrupt(`byteorder record says '${order.slice(0, 20)}'`);
    littleEndian = order === 'little';
  }
  const { value } = unpickle(zip.read(zip.entries.get(pickles[0])!), 0, torchPickleHooks('zip'));
  const storages = new Map<string, Uint8Array>();
  return buildStateDict(value, (ref) => {
    let data = storages.get(ref.key);
    if (!data) {
      const entry = zip.entries.get(`${prefix}data/${ref.key}`);
      if (!entry) corrupt(`storage record data/${ref.key} is missing from the zip`);
      data = zip.read(entry);
      storages.set(ref.key, data);
    }
    return { data, littleEndian };
  });
}
