import { EdgeError } from '../errors.js';
import { CheckpointCorruptError, CheckpointUnsafeError } from './checkpoint-errors.js';
import { MAX_CHECKPOINT_FILE_BYTES, MAX_TOTAL_ELEMENTS } from './checkpoint-limits.js';
import { FormatProblem, corrupt } from './format-problem.js';
import { checkHedShapes } from './hed-architecture.js';
import { readCheckpointFile } from './read-checkpoint-file.js';
import { looksLikeSafetensors, readSafetensors } from './safetensors-format.js';
import type { StateDict } from './state-dict.js';
import type { TensorEntry } from './tensor-entry.js';
import { readTorchLegacy } from './torch-legacy-format.js';
import { readTorchZip } from './torch-zip-format.js';

/** Formats `parseCheckpoint` recognises from the file's first bytes. */
export type CheckpointFormat = 'torch-zip' | 'torch-legacy' | 'safetensors';

/** Which checkpoint format `bytes` holds, or a FormatProblem explaining what it is instead. */
export function sniffCheckpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip';
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2) return 'torch-legacy';
  if (looksLikeSafetensors(bytes)) return 'safetensors';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  if (bytes.length === 0) corrupt('the file is empty');
  if (head.startsWith('version https://git-lfs')) corrupt('this is a Git LFS pointer file, not the weights themselves');
  if (/^\s*</.test(head)) corrupt('this is an HTML/XML page, not a checkpoint (a failed download?)');
  if (bytes.length > 262 && new TextDecoder('latin1').decode(bytes.subarray(257, 262)) === 'ustar') {
    corrupt('this is a tar archive (the pre-2018 torch.save format), which is not supported; re-save it with a current PyTorch');
  }
  return corrupt('unrecognised format: neither a torch.save zip, a legacy torch.save pickle nor safetensors');
}

/** Options of {@link parseCheckpoint}. */
export interface ParseCheckpointOptions {
  /**
   * Checks the tensors' names and shapes before any tensor data is read (throw to refuse the file);
   * {@link parseHedCheckpoint} passes the ControlNetHED architecture check.
   */
  checkShapes?: (shapes: ReadonlyMap<string, readonly number[]>, sourceName?: string) => void;
}

function readEntries(bytes: Uint8Array): TensorEntry[] {
  if (bytes.length > MAX_CHECKPOINT_FILE_BYTES) corrupt(`${bytes.length} bytes is more than any HED checkpoint needs`);
  switch (sniffCheckpointFormat(bytes)) {
    case 'torch-zip':
      return readTorchZip(bytes);
    case 'torch-legacy':
      return readTorchLegacy(bytes);
    case 'safetensors':
      return readSafetensors(bytes);
  }
}

/**
 * Parses a checkpoint held in memory into float32 tensors. Recognises the PyTorch zip format (torch ≥ 1.6),
 * the legacy PyTorch pickle format and safetensors. Pickles are read by a restricted unpickler that never
 * executes code and has limits on its work and memory. Reading is bounded as a whole: names, shapes and views
 * are read first (and checked by `options.checkShapes`), the total element count is checked against one
 * budget for all tensors together, and only then is any storage inflated (within a total byte budget) and any
 * tensor materialised. Throws `HED_CHECKPOINT_CORRUPT` or `HED_CHECKPOINT_UNSAFE` (EdgeError, userError)
 * naming `sourceName`, or what `checkShapes` throws.
 */
export function parseCheckpoint(bytes: Uint8Array, sourceName?: string, options: ParseCheckpointOptions = {}): StateDict {
  try {
    const entries = readEntries(bytes);
    const shapes = new Map<string, readonly number[]>();
    let total = 0;
    for (const e of entries) {
      if (shapes.has(e.name)) corrupt(`tensor '${e.name.slice(0, 80)}' appears twice`);
      shapes.set(e.name, e.shape);
      total += e.numel;
    }
    options.checkShapes?.(shapes, sourceName);
    if (total > MAX_TOTAL_ELEMENTS) {
      corrupt(`its ${entries.length} tensors hold ${total} elements together, more than the ${MAX_TOTAL_ELEMENTS} a HED checkpoint may hold`);
    }
    const sd: StateDict = new Map();
    for (const e of entries) sd.set(e.name, { shape: e.shape, data: e.load() });
    return sd;
  } catch (e) {
    if (e instanceof FormatProblem) {
      if (e.kind === 'unsafe') throw new CheckpointUnsafeError(sourceName, e.offender, e.detail);
      throw new CheckpointCorruptError(sourceName, e.detail);
    }
    if (e instanceof EdgeError) throw e;
    // Anything else is a reader bug or a damaged file we did not anticipate: never a raw RangeError.
    throw new CheckpointCorruptError(sourceName, `unreadable: ${(e as Error)?.message ?? String(e)}`, e);
  }
}

/**
 * {@link parseCheckpoint} for a ControlNetHED checkpoint: names and shapes are checked against the HED
 * architecture (`HED_CHECKPOINT_ARCHITECTURE`) before any tensor data is read.
 */
export function parseHedCheckpoint(bytes: Uint8Array, sourceName?: string): StateDict {
  return parseCheckpoint(bytes, sourceName, { checkShapes: (shapes, name) => void checkHedShapes(shapes, name) });
}

/**
 * Reads and parses a checkpoint file (path) or bytes; a missing or non-regular file (FIFO, device,
 * directory) is `HED_WEIGHTS_NOT_FOUND`, at once.
 */
export async function loadCheckpoint(source: string | Uint8Array): Promise<StateDict> {
  if (typeof source !== 'string') return parseCheckpoint(source);
  return parseCheckpoint(await readCheckpointFile(source, 'checkpoint path'), source);
}
