/**
 * Bounds on what reading a checkpoint may cost, whatever the file declares. The published ControlNetHED.pth
 * is 29 MB (float16 storages, 14.7 M parameters, a pickle of a few KB); every limit leaves a wide margin over
 * that and keeps a hostile file well under 1 GB of memory and a bounded amount of work.
 */

/** Largest checkpoint file read at all (a float64 export of HED is about 118 MB). */
export const MAX_CHECKPOINT_FILE_BYTES = 256 * 1024 * 1024;

/** Elements materialised as float32 across ALL tensors together (HED has 14,716,168): 128 MiB of output. */
export const MAX_TOTAL_ELEMENTS = 2 ** 25;

/** Bytes of storage records inflated or sliced across all storages together (HED in float64 needs 118 MB). */
export const MAX_TOTAL_STORAGE_BYTES = 256 * 1024 * 1024;

/** Largest pickle record (`data.pkl`) inflated: torch's HED pickle is about 10 KB. */
export const MAX_PICKLE_BYTES = 32 * 1024 * 1024;

/** Limits of the restricted unpickler, per pickle. */
export interface PickleLimits {
  /** Opcodes executed. */
  maxOps: number;
  /** Values pushed, appended or stored in containers, counted over the whole run. */
  maxObjects: number;
  /** Memo entries. */
  maxMemo: number;
  /** Nested MARKs open at once. */
  maxMarkDepth: number;
  /** Bytes of one string, bytes object or text line. */
  maxStringBytes: number;
  /** Bytes of one LONG1/LONG4 integer (Python ints in a state dict are small). */
  maxLongBytes: number;
}

/** Limits for `torch.save` pickles: a state dict of a few hundred tensors needs a few thousand of everything. */
export const TORCH_PICKLE_LIMITS: PickleLimits = {
  maxOps: 10_000_000,
  maxObjects: 1_000_000,
  maxMemo: 1_000_000,
  maxMarkDepth: 1_000,
  maxStringBytes: 1024 * 1024,
  maxLongBytes: 1024,
};
