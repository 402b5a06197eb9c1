/**
 * The item fields the shared request flags (`request-options.ts`) set, for `generate`, `batch` and
 * `enqueue`.
 */
import path from 'node:path';
import { isRemoteReference, type ItemDefaults } from '@backdrop/pipeline';
import { parseIntegerIn, parseNumberIn } from './option-parsers.js';
import type { RequestFlagArgs } from './request-options.js';

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

/**
 * Options every item of a `batch` or `enqueue` run gets unless its manifest line says otherwise. The
 * numbers are range-checked here, once, rather than reported again for every item that takes them.
 */
export function defaultsFrom(args: RequestFlagArgs): ItemDefaults {
  const d = requestFieldsFrom(args);
  if (d.n !== undefined) d.n = parseIntegerIn('n', d.n, 1, 4);
  if (d.noiseLevel !== undefined) d.noiseLevel = parseIntegerIn('noise-level', d.noiseLevel, 0, 999);
  if (d.refPromptWeight !== undefined) d.refPromptWeight = parseNumberIn('ref-prompt-weight', d.refPromptWeight, 0, 1);
  return d;
}
