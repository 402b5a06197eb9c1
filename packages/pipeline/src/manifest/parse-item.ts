import path from 'node:path';
import type { InputProblem } from '../errors.js';
import { isRemoteReference, type BatchItem, type ElementSpec, type ItemDefaults } from '../item.js';

/** Manifest keys (snake_case, as users write them) and the item field each maps to. */
const SCALAR_KEYS = {
  id: 'id',
  base: 'base',
  prompt: 'prompt',
  negative_prompt: 'negativePrompt',
  ref: 'ref',
  title: 'title',
  subtitle: 'subtitle',
  n: 'n',
  noise_level: 'noiseLevel',
  ref_prompt_weight: 'refPromptWeight',
  scene_type: 'sceneType',
  model_version: 'modelVersion',
} as const;
const KNOWN_KEYS = new Set<string>([...Object.keys(SCALAR_KEYS), 'foreground', 'background']);
const STRING_KEYS = new Set(['id', 'base', 'prompt', 'negative_prompt', 'ref', 'title', 'subtitle', 'scene_type', 'model_version']);
const NUMBER_KEYS = new Set(['n', 'noise_level', 'ref_prompt_weight']);

/** Ids become folder names: letters, digits, `.`, `_`, `-`, not starting with a dot, ≤ 128 characters. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Result of parsing one manifest line. */
export interface ParsedLine {
  item?: BatchItem;
  problems: InputProblem[];
}

/**
 * Turns one manifest object into a {@link BatchItem}: checks keys and types, resolves paths against
 * `baseDir`, fills defaults. Returns every problem found on the line (no early exit).
 */
export function parseManifestObject(raw: unknown, line: number, baseDir: string, defaults: ItemDefaults): ParsedLine {
  const problems: InputProblem[] = [];
  const problem = (code: string, message: string, field?: string, id?: string): void => {
    problems.push({ line, code, message, ...(field ? { field } : {}), ...(id !== undefined ? { id } : {}) });
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problem('not_an_object', 'each line must be one JSON object, e.g. {"id":"sku-1","base":"cutouts/cup.png","prompt":"…"}');
    return { problems };
  }
  const obj = raw as Record<string, unknown>;
  const id = obj.id === undefined ? String(line) : typeof obj.id === 'string' || typeof obj.id === 'number' ? String(obj.id) : undefined;

  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.has(key)) {
      problem('unknown_key', `unknown key "${key}"; known keys: ${[...KNOWN_KEYS].join(', ')}`, key, id);
      continue;
    }
    const v = obj[key];
    if (key === 'id' && typeof v === 'number') continue;
    if (STRING_KEYS.has(key) && typeof v !== 'string') problem('wrong_type', `"${key}" must be a string`, key, id);
    if (NUMBER_KEYS.has(key) && (typeof v !== 'number' || !Number.isFinite(v))) problem('wrong_type', `"${key}" must be a number`, key, id);
  }
  if (id === undefined) problem('wrong_type', '"id" must be a string', 'id');
  else if (!SAFE_ID.test(id)) {
    problem('unsafe_id', `id "${id}" cannot be used as a folder name; use letters, digits, ".", "_", "-" (not starting with "."), at most 128 characters`, 'id', id);
  }
  if (obj.base === undefined || obj.base === '') problem('required', '"base" (the RGBA cut-out of the product) is required', 'base', id);
  if (obj.model_version !== undefined && obj.model_version !== 'v2' && obj.model_version !== 'v3') {
    problem('out_of_range', '"model_version" must be "v2" or "v3"', 'model_version', id);
  }

  const resolveRef = (p: string): string => (isRemoteReference(p) ? p : path.resolve(baseDir, p));
  const elements = (side: 'foreground' | 'background'): ElementSpec[] | undefined => {
    const v = obj[side];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      problem('wrong_type', `"${side}" must be a list of {"cutout": path, "prompt"?: text} or {"edge": path, "prompt"?: text}`, side, id);
      return undefined;
    }
    const out: ElementSpec[] = [];
    v.forEach((el, i) => {
      const field = `${side}[${i}]`;
      if (typeof el !== 'object' || el === null || Array.isArray(el)) {
        problem('wrong_type', 'an element must be an object {"cutout": path} or {"edge": path}', field, id);
        return;
      }
      const e = el as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (k !== 'cutout' && k !== 'edge' && k !== 'prompt') problem('unknown_key', `unknown key "${k}"; an element has "cutout" or "edge", and "prompt"`, `${field}.${k}`, id);
      }
      if (e.prompt !== undefined && typeof e.prompt !== 'string') problem('wrong_type', '"prompt" must be a string', `${field}.prompt`, id);
      const prompt = typeof e.prompt === 'string' ? { prompt: e.prompt } : {};
      if ('cutout' in e === 'edge' in e) {
        problem('element_kind', 'an element needs exactly one of "cutout" (an RGBA cut-out, turned into an edge element by HED) or "edge" (a ready edge element)', field, id);
      } else if (typeof e.cutout === 'string' && e.cutout !== '') out.push({ cutout: resolveRef(e.cutout), ...prompt });
      else if (typeof e.edge === 'string' && e.edge !== '') out.push({ edge: resolveRef(e.edge), ...prompt });
      else problem('wrong_type', `"${'cutout' in e ? 'cutout' : 'edge'}" must be a non-empty path or URL`, field, id);
    });
    return out;
  };
  const foreground = elements('foreground');
  const background = elements('background');
  if (problems.length > 0 || id === undefined) return { problems };

  const str = (k: string): string | undefined => (typeof obj[k] === 'string' ? obj[k] : undefined);
  const num = (k: string): number | undefined => (typeof obj[k] === 'number' ? obj[k] : undefined);
  const item: BatchItem = { id, base: resolveRef(obj.base as string) };
  const assign = <K extends keyof BatchItem>(k: K, v: BatchItem[K] | undefined): void => {
    if (v !== undefined) item[k] = v;
  };
  assign('prompt', str('prompt') ?? defaults.prompt);
  assign('negativePrompt', str('negative_prompt') ?? defaults.negativePrompt);
  // A ref from the manifest is relative to the manifest; a default ref from a flag is already resolved.
  const ref = str('ref');
  assign('ref', ref !== undefined ? resolveRef(ref) : defaults.ref);
  assign('foreground', foreground ?? defaults.foreground);
  assign('background', background ?? defaults.background);
  assign('title', str('title') ?? defaults.title);
  assign('subtitle', str('subtitle') ?? defaults.subtitle);
  assign('n', num('n') ?? defaults.n);
  assign('noiseLevel', num('noise_level') ?? defaults.noiseLevel);
  assign('refPromptWeight', num('ref_prompt_weight') ?? defaults.refPromptWeight);
  assign('sceneType', str('scene_type') ?? defaults.sceneType);
  assign('modelVersion', (str('model_version') as BatchItem['modelVersion']) ?? defaults.modelVersion);
  return { item, problems };
}
