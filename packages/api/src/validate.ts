/**
 * Every rule the service documents for a background-generation request, checked before anything
 * is sent, all problems reported at once with wire field paths (`input.title`, `parameters.n`, …).
 * Errors make the service refuse (or misbehave); warnings are for things it silently ignores.
 */
import { isRemoteUrl } from './image-source.js';
import { BACKGROUND_GENERATION_MODEL, type ValidationIssue, type ValidationReport } from './types.js';

/** Scene presets the service documents (general, home, beauty). */
export const KNOWN_SCENE_TYPES: readonly string[] = ['GENERAL', 'ROOM', 'COSMETIC'];
/** Model versions the service accepts. */
export const MODEL_VERSIONS: readonly string[] = ['v2', 'v3'];
/** The service ignores reference-prompt words past this many. */
export const REF_PROMPT_WORD_LIMIT = 70;
/** Foreground + background edge elements allowed in one request. */
export const MAX_EDGE_ELEMENTS = 10;

/** Options of `validateBackgroundGenerationRequest`. */
export interface ValidateOptions {
  /**
   * Require every image input to be a URL the service can fetch (`http(s)://` or `oss://`), as a
   * submit does. Off by default so that requests naming local files (which `generate` and the batch
   * runner upload first) validate too.
   */
  requireUrls?: boolean;
}

/** Counts characters as the service does: Unicode code points, not UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

/**
 * Counts prompt words: each CJK character is a word (Chinese has no spaces), and so is each run of
 * other non-space characters. An estimate of the service's tokenisation, used only for a warning.
 */
export function promptWordCount(text: string): number {
  const matches = text.match(
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{P}]+/gu,
  );
  return matches?.length ?? 0;
}

type Bag = Record<string, unknown>;

/**
 * Checks a request against every documented rule. Accepts anything (e.g. a manifest line) and
 * never throws; `errors` empty means the request may be sent.
 */
export function validateBackgroundGenerationRequest(request: unknown, options: ValidateOptions = {}): ValidationReport {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const error = (path: string, code: string, message: string): void => void errors.push({ path, code, message });
  const warn = (path: string, code: string, message: string): void => void warnings.push({ path, code, message });

  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    error('input', 'type', 'the request must be an object');
    return { errors, warnings };
  }
  const req = request as Bag;

  /** An image input: a non-empty string (URL or, unless requireUrls, a local path) or bytes. */
  const checkImage = (value: unknown, path: string): void => {
    if (value instanceof Uint8Array) {
      if (options.requireUrls) error(path, 'not_a_url', 'must be an http(s):// or oss:// URL; upload bytes with files.upload or use generate()');
      else if (value.length === 0) error(path, 'empty', 'the image is empty (0 bytes)');
      return;
    }
    if (typeof value !== 'string') {
      error(path, 'type', 'must be a URL string');
      return;
    }
    if (value.trim() === '') {
      error(path, 'empty', 'must not be empty');
      return;
    }
    if (options.requireUrls && !isRemoteUrl(value)) {
      error(path, 'not_a_url', `must be an http(s):// or oss:// URL, got ${JSON.stringify(value.slice(0, 80))}; upload local files with files.upload or use generate()`);
    }
  };
  const optionalString = (value: unknown, path: string): value is string => {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'string') {
      error(path, 'type', 'must be a string');
      return false;
    }
    return true;
  };

  if (req.model !== undefined && req.model !== BACKGROUND_GENERATION_MODEL) {
    warn('model', 'unknown_model', `this client is built for ${BACKGROUND_GENERATION_MODEL}; ${JSON.stringify(req.model)} is sent as given`);
  }

  // Base image.
  if (req.baseImageUrl === undefined || req.baseImageUrl === null || req.baseImageUrl === '') {
    error('input.base_image_url', 'required', 'the subject image (RGBA PNG with transparency) is required');
  } else {
    checkImage(req.baseImageUrl, 'input.base_image_url');
  }

  // Reference image / prompt: at least one.
  const hasRefImage = req.refImageUrl !== undefined && req.refImageUrl !== null && req.refImageUrl !== '';
  if (hasRefImage) checkImage(req.refImageUrl, 'input.ref_image_url');
  const hasRefPrompt = optionalString(req.refPrompt, 'input.ref_prompt') && req.refPrompt !== '' && req.refPrompt.trim() !== '';
  if (!hasRefImage && !hasRefPrompt) {
    error('input.ref_image_url', 'reference_required', 'give a reference image (input.ref_image_url) or a reference prompt (input.ref_prompt), or both');
  }
  if (hasRefPrompt) {
    const words = promptWordCount(req.refPrompt as string);
    if (words > REF_PROMPT_WORD_LIMIT) {
      warn('input.ref_prompt', 'too_long', `has about ${words} words; the service ignores words past ${REF_PROMPT_WORD_LIMIT}`);
    }
  }
  optionalString(req.negRefPrompt, 'input.neg_ref_prompt');

  // Title and sub-title.
  const hasTitle = optionalString(req.title, 'input.title');
  if (hasTitle) {
    const n = characterCount(req.title as string);
    if (n < 1 || n > 8) error('input.title', 'length', `must be 1–8 characters, got ${n}`);
  }
  if (optionalString(req.subTitle, 'input.sub_title')) {
    const n = characterCount(req.subTitle);
    if (n < 1 || n > 10) error('input.sub_title', 'length', `must be 1–10 characters, got ${n}`);
    if (!hasTitle || req.title === '') error('input.sub_title', 'requires_title', 'a sub-title is only drawn with a title: set input.title too, or drop the sub-title');
  }

  // Edge elements.
  const edge = req.referenceEdge;
  if (edge !== undefined && edge !== null) {
    if (typeof edge !== 'object' || Array.isArray(edge)) {
      error('input.reference_edge', 'type', 'must be an object');
    } else {
      const e = edge as Bag;
      let total = 0;
      for (const side of ['foreground', 'background'] as const) {
        const listPath = `input.reference_edge.${side}_edge`;
        const promptPath = `input.reference_edge.${side}_edge_prompt`;
        const list = e[`${side}Edge`];
        const prompts = e[`${side}EdgePrompt`];
        let count = 0;
        if (list !== undefined && list !== null) {
          if (!Array.isArray(list)) error(listPath, 'type', 'must be a list of image URLs');
          else {
            count = list.length;
            list.forEach((item, i) => checkImage(item, `${listPath}[${i}]`));
          }
        }
        total += count;
        if (prompts !== undefined && prompts !== null) {
          if (!Array.isArray(prompts)) error(promptPath, 'type', 'must be a list of strings');
          else {
            prompts.forEach((p, i) => {
              if (typeof p !== 'string') error(`${promptPath}[${i}]`, 'type', 'must be a string ("" for no prompt)');
            });
            if (prompts.length !== count) {
              error(
                promptPath,
                'length_mismatch',
                `has ${prompts.length} prompt${prompts.length === 1 ? '' : 's'} for ${count} element${count === 1 ? '' : 's'}; give exactly one per element ("" for none)`,
              );
            }
          }
        }
      }
      if (total > MAX_EDGE_ELEMENTS) {
        error('input.reference_edge', 'too_many_elements', `has ${total} elements; foreground and background together may have at most ${MAX_EDGE_ELEMENTS}`);
      }
    }
  }

  // Parameters.
  const params = req.parameters;
  if (params !== undefined && params !== null) {
    if (typeof params !== 'object' || Array.isArray(params)) {
      error('parameters', 'type', 'must be an object');
    } else {
      const p = params as Bag;
      const integerIn = (value: unknown, path: string, min: number, max: number): boolean => {
        if (value === undefined || value === null) return false;
        if (typeof value !== 'number' || !Number.isInteger(value)) error(path, 'not_integer', `must be an integer ${min}–${max}, got ${JSON.stringify(value)}`);
        else if (value < min || value > max) error(path, 'out_of_range', `must be ${min}–${max}, got ${value}`);
        return true;
      };
      integerIn(p.n, 'parameters.n', 1, 4);
      if (integerIn(p.noiseLevel, 'parameters.noise_level', 0, 999) && !hasRefImage) {
        warn('parameters.noise_level', 'ignored', 'is only used with a reference image (input.ref_image_url); the service ignores it here');
      }
      if (p.refPromptWeight !== undefined && p.refPromptWeight !== null) {
        const w = p.refPromptWeight;
        if (typeof w !== 'number' || !Number.isFinite(w)) error('parameters.ref_prompt_weight', 'type', `must be a number 0–1, got ${JSON.stringify(w)}`);
        else if (w < 0 || w > 1) error('parameters.ref_prompt_weight', 'out_of_range', `must be 0–1, got ${w}`);
        if (!(hasRefImage && hasRefPrompt)) {
          warn('parameters.ref_prompt_weight', 'ignored', 'is only used with both a reference image and a reference prompt; the service ignores it here');
        }
      }
      if (optionalString(p.sceneType, 'parameters.scene_type') && !KNOWN_SCENE_TYPES.includes(p.sceneType)) {
        warn('parameters.scene_type', 'unknown_scene_type', `${JSON.stringify(p.sceneType)} is not a documented scene (${KNOWN_SCENE_TYPES.join(', ')}); it is sent as given`);
      }
      if (p.modelVersion !== undefined && p.modelVersion !== null && !MODEL_VERSIONS.includes(p.modelVersion as string)) {
        error('parameters.model_version', 'invalid_value', `must be ${MODEL_VERSIONS.join(' or ')}, got ${JSON.stringify(p.modelVersion)}`);
      }
    }
  }

  return { errors, warnings };
}
