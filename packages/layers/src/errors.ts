/** Errors of the layer renderer. */

/** Stable codes of {@link LayersError}. */
export type LayersErrorCode = 'LAYERS_NO_TEXT_LAYERS' | 'LAYERS_NO_TITLE_LAYER' | 'LAYERS_NO_SUBTITLE_LAYER' | 'LAYERS_FONT_DIR' | 'LAYERS_FONT_MAP' | 'LAYERS_BAD_IMAGE';

/** A problem with the layers, the fonts or the image; `userError` when the caller can fix it. */
export class LayersError extends Error {
  readonly userError: boolean;

  constructor(
    readonly code: LayersErrorCode,
    message: string,
    options?: { cause?: unknown; userError?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LayersError';
    this.userError = options?.userError ?? true;
  }
}
