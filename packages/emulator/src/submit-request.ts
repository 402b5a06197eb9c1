/**
 * Checks a submit body against the service's documented rules and turns it into a `SubmitSpec`.
 * Problems are thrown as the service's error replies (400 `InvalidParameter`, 404 `ModelNotFound`, …).
 */
import { ServiceError, invalidParameter } from './errors.js';

/** The one model this endpoint serves. */
export const MODEL_NAME = 'wanx-background-generation-v2';

/** An edge element and its prompt ('' = none). */
export interface EdgeElementSpec {
  url: string;
  prompt: string;
  /** Wire path of the URL, for error messages, e.g. `input.reference_edge.foreground_edge[1]`. */
  path: string;
}

/** A valid submit, in the emulator's terms. */
export interface SubmitSpec {
  model: string;
  baseImageUrl: string;
  refImageUrl?: string;
  refPrompt?: string;
  negRefPrompt?: string;
  title?: string;
  subTitle?: string;
  foregroundEdges: EdgeElementSpec[];
  backgroundEdges: EdgeElementSpec[];
  n: number;
  noiseLevel: number;
  refPromptWeight: number;
  sceneType?: string;
  modelVersion?: 'v2' | 'v3';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(container: Record<string, unknown>, key: string, path: string): string | undefined {
  const value = container[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${path} must be a string.`);
  return value;
}

const URL_SCHEMES = /^(https?|oss):\/\/\S+$/i;

function checkUrl(url: string, path: string): void {
  if (!URL_SCHEMES.test(url)) {
    throw invalidParameter(`${path} must be an http://, https:// or oss:// URL the service can download (got "${url.slice(0, 80)}").`);
  }
}

function characterCount(text: string): number {
  return [...text].length;
}

function edgeList(edge: Record<string, unknown>, side: 'foreground' | 'background'): EdgeElementSpec[] {
  const listPath = `input.reference_edge.${side}_edge`;
  const urls = edge[`${side}_edge`];
  const prompts = edge[`${side}_edge_prompt`];
  if (urls !== undefined && urls !== null && (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string'))) {
    throw invalidParameter(`${listPath} must be a list of image URLs.`);
  }
  if (prompts !== undefined && prompts !== null && (!Array.isArray(prompts) || prompts.some((p) => typeof p !== 'string'))) {
    throw invalidParameter(`${listPath}_prompt must be a list of strings ('' for an element without a prompt).`);
  }
  const urlList = (urls ?? []) as string[];
  const promptList = prompts as string[] | undefined | null;
  if (promptList && promptList.length !== urlList.length) {
    throw invalidParameter(`${listPath}_prompt has ${promptList.length} entries but ${listPath} has ${urlList.length}; give one prompt per element ('' for none).`);
  }
  return urlList.map((url, i) => {
    const path = `${listPath}[${i}]`;
    checkUrl(url, path);
    return { url, prompt: promptList?.[i] ?? '', path };
  });
}

/** Validates a parsed JSON submit body. */
export function parseSubmitBody(body: unknown): SubmitSpec {
  if (!isObject(body)) throw invalidParameter('The request body must be a JSON object with "model", "input" and optional "parameters".');
  const model = body.model;
  if (model === undefined || model === null || model === '') {
    throw new ServiceError(400, 'BadRequest.EmptyModel', `Required parameter "model" missing from request; use "${MODEL_NAME}".`);
  }
  if (model !== MODEL_NAME) {
    throw new ServiceError(404, 'ModelNotFound', `Model not exist: "${String(model)}". This endpoint serves "${MODEL_NAME}".`);
  }
  const input = body.input;
  if (input === undefined || input === null) {
    throw new ServiceError(400, 'BadRequest.EmptyInput', 'Required input parameter missing from request: "input".');
  }
  if (!isObject(input)) throw invalidParameter('input must be an object.');

  const baseImageUrl = optionalString(input, 'base_image_url', 'input.base_image_url');
  if (!baseImageUrl) throw invalidParameter('input.base_image_url is required: the subject as an RGBA PNG with a transparent background.');
  checkUrl(baseImageUrl, 'input.base_image_url');
  const refImageUrl = optionalString(input, 'ref_image_url', 'input.ref_image_url') || undefined;
  if (refImageUrl) checkUrl(refImageUrl, 'input.ref_image_url');
  const refPrompt = optionalString(input, 'ref_prompt', 'input.ref_prompt') || undefined;
  if (!refImageUrl && !refPrompt) throw invalidParameter('At least one of input.ref_image_url and input.ref_prompt is required.');
  const negRefPrompt = optionalString(input, 'neg_ref_prompt', 'input.neg_ref_prompt') || undefined;

  const title = optionalString(input, 'title', 'input.title');
  if (title !== undefined && (characterCount(title) < 1 || characterCount(title) > 8)) {
    throw invalidParameter(`input.title must have 1–8 characters (got ${characterCount(title)}).`);
  }
  const subTitle = optionalString(input, 'sub_title', 'input.sub_title');
  if (subTitle !== undefined) {
    if (characterCount(subTitle) < 1 || characterCount(subTitle) > 10) {
      throw invalidParameter(`input.sub_title must have 1–10 characters (got ${characterCount(subTitle)}).`);
    }
    if (!title) throw invalidParameter('input.sub_title needs input.title: a sub-title is only drawn under a title.');
  }

  let foregroundEdges: EdgeElementSpec[] = [];
  let backgroundEdges: EdgeElementSpec[] = [];
  const edge = input.reference_edge;
  if (edge !== undefined && edge !== null) {
    if (!isObject(edge)) throw invalidParameter('input.reference_edge must be an object.');
    foregroundEdges = edgeList(edge, 'foreground');
    backgroundEdges = edgeList(edge, 'background');
    const total = foregroundEdges.length + backgroundEdges.length;
    if (total > 10) throw invalidParameter(`input.reference_edge has ${total} elements; foreground and background together may have at most 10.`);
  }

  const parameters = body.parameters ?? {};
  if (!isObject(parameters)) throw invalidParameter('parameters must be an object.');
  const n = parameters.n ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4) {
    throw invalidParameter(`parameters.n must be an integer from 1 to 4 (got ${JSON.stringify(parameters.n)}).`);
  }
  const noiseLevel = parameters.noise_level ?? 300;
  if (typeof noiseLevel !== 'number' || !Number.isInteger(noiseLevel) || noiseLevel < 0 || noiseLevel > 999) {
    throw invalidParameter(`parameters.noise_level must be an integer from 0 to 999 (got ${JSON.stringify(parameters.noise_level)}).`);
  }
  const refPromptWeight = parameters.ref_prompt_weight ?? 0.5;
  if (typeof refPromptWeight !== 'number' || !(refPromptWeight >= 0 && refPromptWeight <= 1)) {
    throw invalidParameter(`parameters.ref_prompt_weight must be a number from 0 to 1 (got ${JSON.stringify(parameters.ref_prompt_weight)}).`);
  }
  const sceneType = parameters.scene_type;
  if (sceneType !== undefined && sceneType !== null && typeof sceneType !== 'string') {
    throw invalidParameter('parameters.scene_type must be a string such as "GENERAL".');
  }
  const modelVersion = parameters.model_version;
  if (modelVersion !== undefined && modelVersion !== null && modelVersion !== 'v2' && modelVersion !== 'v3') {
    throw invalidParameter(`parameters.model_version must be "v2" or "v3" (got ${JSON.stringify(modelVersion)}).`);
  }

  return {
    model: MODEL_NAME,
    baseImageUrl,
    refImageUrl,
    refPrompt,
    negRefPrompt,
    title,
    subTitle: title ? subTitle : undefined,
    foregroundEdges,
    backgroundEdges,
    n,
    noiseLevel,
    refPromptWeight,
    sceneType: sceneType ?? undefined,
    modelVersion: modelVersion ?? undefined,
  };
}

/** Every URL of a submit with its wire path, base image first. */
export function submitUrls(spec: SubmitSpec): { url: string; path: string }[] {
  const urls = [{ url: spec.baseImageUrl, path: 'input.base_image_url' }];
  if (spec.refImageUrl) urls.push({ url: spec.refImageUrl, path: 'input.ref_image_url' });
  for (const e of [...spec.foregroundEdges, ...spec.backgroundEdges]) urls.push({ url: e.url, path: e.path });
  return urls;
}
