/** Puts new strings into the title and sub-title layers. */
import { LayersError } from './errors.js';
import type { LayerModel, TextLayerModel, TextOverrides } from './layer-model.js';
import { isTextLayer } from './layer-footprint.js';

/** The layers sorted by `idx` (stable), as they are painted bottom to top. */
function paintOrder(layers: readonly LayerModel[]): LayerModel[] {
  return layers
    .map((layer, i) => ({ layer, i }))
    .sort((a, b) => (a.layer.idx ?? a.i) - (b.layer.idx ?? b.i) || a.i - b.i)
    .map((e) => e.layer);
}

function findText(texts: TextLayerModel[], subType: string, fallbackIndex: number): TextLayerModel | undefined {
  const named = texts.find((t) => (t.subType ?? '').toLowerCase() === subType.toLowerCase());
  if (named) return named;
  return texts.every((t) => t.subType === undefined) ? texts[fallbackIndex] : undefined;
}

/**
 * Copies `layers` with the overrides applied: `title` replaces the `Title` layer's content, `subTitle` the
 * `SubTitle` layer's (without sub-types: the first and second text layers). Throws {@link LayersError}
 * when a string is given but there is no layer for it.
 */
export function applyOverrides(layers: readonly LayerModel[], overrides: TextOverrides = {}): LayerModel[] {
  const ordered = paintOrder(layers);
  const texts = ordered.filter(isTextLayer);
  if ((overrides.title !== undefined || overrides.subTitle !== undefined) && texts.length === 0) {
    throw new LayersError('LAYERS_NO_TEXT_LAYERS', 'These layers hold no text layer, so there is no title to replace; the task was made without a title.');
  }
  const replace = new Map<TextLayerModel, string>();
  if (overrides.title !== undefined) {
    const layer = findText(texts, 'Title', 0);
    if (!layer) throw new LayersError('LAYERS_NO_TITLE_LAYER', 'These layers hold no Title layer to put the new title into.');
    replace.set(layer, overrides.title);
  }
  if (overrides.subTitle !== undefined) {
    const layer = findText(texts, 'SubTitle', 1);
    if (!layer) {
      throw new LayersError('LAYERS_NO_SUBTITLE_LAYER', 'These layers hold no SubTitle layer (the task was made without a sub-title); leave out the sub-title.');
    }
    replace.set(layer, overrides.subTitle);
  }
  return ordered.map((l) => (isTextLayer(l) && replace.has(l) ? { ...l, content: replace.get(l)! } : l));
}
