import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../cache/content-hash.js';
import { isRemoteReference, type BatchItem } from '../item.js';
import type { InputThumb, ItemInputs } from './report-model.js';
import type { Thumbnailer } from './thumbnails.js';

/**
 * What the sheet shows of an item's definition: prompts, parameters, and thumbnails of the cut-out,
 * the reference image and the edge elements. A `cutout` element is shown as the edge element HED made
 * of it (cached in `<out>/.backdrop/edges/` under the edge maker's `cacheKey`), else as the cut-out.
 */
export async function itemInputs(item: BatchItem, thumbs: Thumbnailer, out: string, edgeCacheKey: string | undefined): Promise<ItemInputs> {
  const params: Record<string, string | number> = {};
  if (item.n !== undefined) params.n = item.n;
  if (item.sceneType !== undefined) params.scene_type = item.sceneType;
  if (item.modelVersion !== undefined) params.model_version = item.modelVersion;
  if (item.noiseLevel !== undefined) params.noise_level = item.noiseLevel;
  if (item.refPromptWeight !== undefined) params.ref_prompt_weight = item.refPromptWeight;
  const cutout = await inputThumb(item.base, thumbs);
  const ref = item.ref !== undefined ? await inputThumb(item.ref, thumbs) : undefined;
  const edges: ItemInputs['edges'] = [];
  for (const side of ['foreground', 'background'] as const) {
    for (const el of item[side] ?? []) {
      let image: InputThumb | undefined;
      if ('edge' in el) image = await inputThumb(el.edge, thumbs);
      else if (!isRemoteReference(el.cutout)) {
        const bytes = edgeCacheKey ? await readFile(el.cutout).catch(() => undefined) : undefined;
        const edgeFile = bytes && edgeCacheKey ? path.join(out, '.backdrop', 'edges', `${sha256Hex(bytes, edgeCacheKey)}.png`) : undefined;
        image = (edgeFile ? await inputThumb(edgeFile, thumbs) : undefined) ?? (await inputThumb(el.cutout, thumbs));
      }
      edges.push({ side, ...(el.prompt ? { prompt: el.prompt } : {}), ...(image ? { image } : {}) });
    }
  }
  return {
    id: item.id,
    ...(item.prompt !== undefined ? { prompt: item.prompt } : {}),
    ...(item.negativePrompt !== undefined ? { negativePrompt: item.negativePrompt } : {}),
    ...(item.title !== undefined ? { title: item.title } : {}),
    ...(item.subtitle !== undefined ? { subtitle: item.subtitle } : {}),
    params,
    ...(cutout ? { cutout } : {}),
    ...(ref ? { ref } : {}),
    edges,
  };
}

async function inputThumb(ref: string, thumbs: Thumbnailer): Promise<InputThumb | undefined> {
  if (isRemoteReference(ref)) return undefined;
  const bytes = await readFile(ref).catch(() => undefined);
  if (!bytes) return undefined;
  const sha = sha256Hex(bytes);
  const thumb = await thumbs.thumb(ref, sha);
  const preview = await thumbs.preview(ref, sha);
  return thumb && preview ? { thumb, preview } : undefined;
}

/**
 * An item's inputs as far as its `task.json` tells (the request as sent, wire form): used for items
 * the sheet has no definition of (a run made through the library rather than the CLI).
 */
export function inputsFromRequest(id: string, request: unknown): ItemInputs | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const r = request as { input?: Record<string, unknown>; parameters?: Record<string, unknown> };
  const input = r.input ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(r.parameters ?? {})) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
  const edge = (input.reference_edge ?? {}) as Record<string, unknown>;
  const edges: ItemInputs['edges'] = [];
  for (const side of ['foreground', 'background'] as const) {
    const urls = Array.isArray(edge[`${side}_edge`]) ? (edge[`${side}_edge`] as unknown[]) : [];
    const prompts = Array.isArray(edge[`${side}_edge_prompt`]) ? (edge[`${side}_edge_prompt`] as unknown[]) : [];
    urls.forEach((_, i) => {
      const p = str(prompts[i]);
      edges.push({ side, ...(p ? { prompt: p } : {}) });
    });
  }
  const prompt = str(input.ref_prompt);
  const negativePrompt = str(input.neg_ref_prompt);
  const title = str(input.title);
  const subtitle = str(input.sub_title);
  return {
    id,
    ...(prompt !== undefined ? { prompt } : {}),
    ...(negativePrompt !== undefined ? { negativePrompt } : {}),
    ...(title !== undefined ? { title } : {}),
    ...(subtitle !== undefined ? { subtitle } : {}),
    params,
    edges,
  };
}
