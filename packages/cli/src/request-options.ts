/**
 * The request flags `generate` and `batch` share (prompt, reference, title, parameters): one yargs
 * definition, and one mapping from the parsed flags to the item fields they set.
 */
import path from 'node:path';
import { isRemoteReference, type ItemDefaults } from '@backdrop/pipeline';

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

/** A local path made absolute; `http(s)://` and `oss://` URLs kept as they are. */
export function resolveLocal(ref: string): string {
  return isRemoteReference(ref) ? ref : path.resolve(ref);
}

/**
 * The item fields the shared flags set (only those given; `--ref` resolved). Numbers are copied as
 * parsed: each command checks them its own way.
 */
export function requestFieldsFrom(args: RequestFlagArgs): ItemDefaults {
  const d: ItemDefaults = {};
  if (args.prompt !== undefined) d.prompt = args.prompt;
  if (args.negativePrompt !== undefined) d.negativePrompt = args.negativePrompt;
  if (args.ref !== undefined) d.ref = resolveLocal(args.ref);
  if (args.title !== undefined) d.title = args.title;
  if (args.subtitle !== undefined) d.subtitle = args.subtitle;
  if (args.n !== undefined) d.n = args.n;
  if (args.noiseLevel !== undefined) d.noiseLevel = args.noiseLevel;
  if (args.refPromptWeight !== undefined) d.refPromptWeight = args.refPromptWeight;
  if (args.sceneType !== undefined) d.sceneType = args.sceneType;
  if (args.modelVersion !== undefined) d.modelVersion = args.modelVersion;
  return d;
}
