import { readFile } from 'node:fs/promises';
import { EdgeError } from '../errors.js';
import { CheckpointCorruptError, CheckpointUnsafeError, WeightsNotFoundError } from './checkpoint-errors.js';
import { FormatProblem, corrupt } from './format-problem.js';
import { looksLikeSafetensors, readSafetensors } from './safetensors-format.js';
import type { StateDict } from './state-dict.js';
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

/**
 * Parses a checkpoint held in memory into float32 tensors. Recognises the PyTorch zip format (torch ≥ 1.6),
 * the legacy PyTorch pickle format and safetensors. Pickles are read by a restricted unpickler that never
 * executes code. Throws `HED_CHECKPOINT_CORRUPT` or `HED_CHECKPOINT_UNSAFE` (EdgeError, userError) naming `sourceName`.
 */
export function parseCheckpoint(bytes: Uint8Array, sourceName?: string): StateDict {
  try {
    switch (sniffCheckpointFormat(bytes)) {
      case 'torch-zip':
        return readTorchZip(bytes);
      case 'torch-legacy':
        return readTorchLegacy(bytes);
      case 'safetensors':
        return readSafetensors(bytes);
    }
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

/** Reads and parses a checkpoint file (path) or bytes; a missing file is `HED_WEIGHTS_NOT_FOUND`. */
export async function loadCheckpoint(source: string | Uint8Array): Promise<StateDict> {
  if (typeof source !== 'string') return parseCheckpoint(source);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(source);
  } catch (e) {
    throw new WeightsNotFoundError(source, 'checkpoint path', e);
  }
  return parseCheckpoint(bytes, source);
}
