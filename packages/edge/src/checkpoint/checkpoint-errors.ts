import { EdgeError } from '../errors.js';

/** Where to get the real weights, for error messages. */
const HED_WEIGHTS_PAGE = 'https://huggingface.co/lllyasviel/Annotators/blob/main/ControlNetHED.pth';

/** "Checkpoint <name>" or "The checkpoint" when no name is known. */
function subject(source: string | undefined): string {
  return source ? `Checkpoint ${source}` : 'The checkpoint';
}

/** The checkpoint file is damaged, truncated or not a checkpoint at all (`HED_CHECKPOINT_CORRUPT`). */
export class CheckpointCorruptError extends EdgeError {
  constructor(
    source: string | undefined,
    readonly detail: string,
    cause?: unknown,
  ) {
    super(
      'HED_CHECKPOINT_CORRUPT',
      `${subject(source)} is corrupt, truncated or not a PyTorch/safetensors checkpoint (${detail}). ` +
        `Download ControlNetHED.pth again (${HED_WEIGHTS_PAGE}) and point --weights or BACKDROP_HED_WEIGHTS at the good copy.`,
      { userError: true, cause },
    );
  }
}

/** The pickle inside a `.pth` asks for Python objects a state dict never needs (`HED_CHECKPOINT_UNSAFE`). */
export class CheckpointUnsafeError extends EdgeError {
  /** The refused Python global or pickle feature, e.g. `os.system`. */
  readonly offender: string;

  constructor(
    source: string | undefined,
    offender: string,
    readonly detail: string,
  ) {
    super(
      'HED_CHECKPOINT_UNSAFE',
      `${subject(source)} was refused: its pickle ${detail} ('${offender}'), which a PyTorch state dict never needs ` +
        `and which could run arbitrary code in Python. Use the original ControlNetHED.pth (${HED_WEIGHTS_PAGE}) ` +
        `or a .safetensors export of the weights.`,
      { userError: true },
    );
    this.offender = offender;
  }
}

/** The checkpoint's tensors do not form a ControlNetHED network (`HED_CHECKPOINT_ARCHITECTURE`). */
export class CheckpointArchitectureError extends EdgeError {
  /** The missing, unexpected or mis-shaped tensor. */
  readonly tensorName: string;

  constructor(
    source: string | undefined,
    tensorName: string,
    readonly detail: string,
  ) {
    super(
      'HED_CHECKPOINT_ARCHITECTURE',
      `${subject(source)} is not a ControlNetHED (HED soft-edge) checkpoint: ${detail}. ` + `Use ControlNetHED.pth from lllyasviel/Annotators (${HED_WEIGHTS_PAGE}).`,
      { userError: true },
    );
    this.tensorName = tensorName;
  }
}

/** An explicitly named weights file (option or `BACKDROP_HED_WEIGHTS`) does not exist (`HED_WEIGHTS_NOT_FOUND`). */
export class WeightsNotFoundError extends EdgeError {
  constructor(
    readonly path: string,
    origin: string,
    cause?: unknown,
    reason?: string,
  ) {
    super(
      'HED_WEIGHTS_NOT_FOUND',
      `HED weights file ${path} (${origin}) cannot be read${reason ? `: ${reason}` : ''}. Check the path, or remove the setting to use the cached ` +
        `or downloaded ControlNetHED.pth (${HED_WEIGHTS_PAGE}).`,
      { userError: true, cause },
    );
  }
}

/** No weights were given, none are cached and the download failed or was disabled (`HED_WEIGHTS_UNAVAILABLE`). */
export class WeightsUnavailableError extends EdgeError {
  constructor(
    readonly cachePath: string,
    reason: string,
    downloadUrl: string,
    cause?: unknown,
  ) {
    super(
      'HED_WEIGHTS_UNAVAILABLE',
      `The HED weights ControlNetHED.pth (29 MB) are not available: ${reason}. ` +
        `Download ${downloadUrl} yourself and save it as ${cachePath}, ` +
        `or set BACKDROP_HED_WEIGHTS=/path/to/ControlNetHED.pth, or pass --weights /path/to/ControlNetHED.pth.`,
      { userError: true, cause },
    );
  }
}
