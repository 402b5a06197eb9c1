/**
 * The request flags `generate`, `batch` and `enqueue` share (prompt, reference, title, parameters): one
 * yargs definition (the item fields they set: `request-fields.ts`).
 */
import type { ItemDefaults } from '@backdrop/pipeline';

/** The shared request flags, as yargs parses them: the `BatchItem` fields of the same names. */
export type RequestFlagArgs = Pick<
  ItemDefaults,
  'prompt' | 'negativePrompt' | 'ref' | 'title' | 'subtitle' | 'n' | 'noiseLevel' | 'refPromptWeight' | 'sceneType' | 'modelVersion'
>;

/** yargs definitions of the shared request flags, shown under `group` in `--help`. */
export function requestOptionDefinitions(group: string) {
  return {
    prompt: { type: 'string', group, describe: 'Reference prompt (ref_prompt); a prompt or --ref is required' },
    'negative-prompt': { type: 'string', group, describe: 'What to avoid (neg_ref_prompt); usually best left out' },
    ref: { type: 'string', group, describe: 'Reference image: path or URL' },
    title: { type: 'string', group, describe: 'Title drawn on the image, 1–8 characters' },
    subtitle: { type: 'string', group, describe: 'Sub-title, 1–10 characters (needs --title)' },
    n: { type: 'number', alias: 'count', group, describe: 'Number of images, 1–4 (default 1)' },
    'noise-level': { type: 'number', group, describe: '0–999 (default 300); with --ref only' },
    'ref-prompt-weight': { type: 'number', group, describe: '0–1 (default 0.5); with --ref and --prompt' },
    'scene-type': { type: 'string', group, describe: 'GENERAL, ROOM or COSMETIC' },
    'model-version': { choices: ['v2', 'v3'] as const, group, describe: 'v2 (faster) or v3 (better, recommended)' },
  } as const;
}
