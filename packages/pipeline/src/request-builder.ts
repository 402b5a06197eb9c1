import type { BackgroundGenerationRequest } from '@backdrop/api';
import { isRemoteReference, type BatchItem } from './item.js';

/**
 * The URLs an item's request uses, by manifest field: `base`, `ref`, `foreground[i]`, `background[i]`
 * (each an `oss://`, `http(s)://` URL — or a placeholder during validation).
 */
export type ResolvedUrls = Record<string, string>;

/** Builds the background-generation request of `item`, taking each image's URL from `urls`. */
export function buildRequest(item: BatchItem, urls: ResolvedUrls): BackgroundGenerationRequest {
  const url = (field: string): string => {
    const u = urls[field];
    if (u === undefined) throw new Error(`internal: no URL for ${field} of item ${item.id}`);
    return u;
  };
  const req: BackgroundGenerationRequest = { baseImageUrl: url('base') };
  if (item.ref !== undefined) req.refImageUrl = url('ref');
  if (item.prompt !== undefined && item.prompt !== '') req.refPrompt = item.prompt;
  if (item.negativePrompt !== undefined && item.negativePrompt !== '') req.negRefPrompt = item.negativePrompt;
  const fg = item.foreground ?? [];
  const bg = item.background ?? [];
  if (fg.length > 0 || bg.length > 0) {
    req.referenceEdge = {};
    if (fg.length > 0) {
      req.referenceEdge.foregroundEdge = fg.map((_, i) => url(`foreground[${i}]`));
      if (fg.some((e) => e.prompt !== undefined)) req.referenceEdge.foregroundEdgePrompt = fg.map((e) => e.prompt ?? '');
    }
    if (bg.length > 0) {
      req.referenceEdge.backgroundEdge = bg.map((_, i) => url(`background[${i}]`));
      if (bg.some((e) => e.prompt !== undefined)) req.referenceEdge.backgroundEdgePrompt = bg.map((e) => e.prompt ?? '');
    }
  }
  if (item.title !== undefined) req.title = item.title;
  if (item.subtitle !== undefined) req.subTitle = item.subtitle;
  const parameters: NonNullable<BackgroundGenerationRequest['parameters']> = {};
  if (item.n !== undefined) parameters.n = item.n;
  if (item.noiseLevel !== undefined) parameters.noiseLevel = item.noiseLevel;
  if (item.refPromptWeight !== undefined) parameters.refPromptWeight = item.refPromptWeight;
  if (item.sceneType !== undefined) parameters.sceneType = item.sceneType;
  if (item.modelVersion !== undefined) parameters.modelVersion = item.modelVersion;
  if (Object.keys(parameters).length > 0) req.parameters = parameters;
  return req;
}

/** Placeholder URLs for validating an item's request before anything is uploaded. */
export function placeholderUrls(item: BatchItem): ResolvedUrls {
  const urls: ResolvedUrls = { base: placeholder(item.base, 'base') };
  if (item.ref !== undefined) urls.ref = placeholder(item.ref, 'ref');
  (item.foreground ?? []).forEach((e, i) => (urls[`foreground[${i}]`] = placeholder('cutout' in e ? e.cutout : e.edge, `fg${i}`)));
  (item.background ?? []).forEach((e, i) => (urls[`background[${i}]`] = placeholder('cutout' in e ? e.cutout : e.edge, `bg${i}`)));
  return urls;
}

function placeholder(ref: string, name: string): string {
  return isRemoteReference(ref) ? ref : `oss://backdrop-validation/${name}.png`;
}
