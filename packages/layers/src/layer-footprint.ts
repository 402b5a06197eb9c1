/**
 * The area a layer may change: its box, plus its shadow (the box moved by the shadow offset and grown by
 * the blur's reach), cut to the image. Rendering is clipped to these rectangles, so every pixel outside the
 * union of the footprints keeps the plain image's value exactly.
 */
import { blurReach, parseShadow } from './css-values.js';
import type { LayerModel, MaskLayerModel, Rect, TextLayerModel } from './layer-model.js';

function intersect(r: Rect, width: number, height: number): Rect | undefined {
  const left = Math.max(0, Math.floor(r.left));
  const top = Math.max(0, Math.floor(r.top));
  const right = Math.min(width, Math.ceil(r.left + r.width));
  const bottom = Math.min(height, Math.ceil(r.top + r.height));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : undefined;
}

/** Is this a layer the renderer draws? */
export function isMaskLayer(layer: LayerModel): layer is MaskLayerModel {
  return layer.type === 'text_mask';
}

/** Is this a text layer? */
export function isTextLayer(layer: LayerModel): layer is TextLayerModel {
  return layer.type === 'text';
}

/** Rectangles (image pixels, integer) a layer may change on a `width`×`height` image. */
export function layerFootprint(layer: LayerModel, width: number, height: number): Rect[] {
  if (!isMaskLayer(layer) && !isTextLayer(layer)) return [];
  const box: Rect = { left: layer.left, top: layer.top, width: layer.width, height: layer.height };
  const shadow = parseShadow(isMaskLayer(layer) ? layer.boxShadow : layer.textShadow);
  const rects = [box];
  if (shadow) {
    const reach = blurReach(shadow.blur);
    rects.push({ left: box.left + shadow.dx - reach, top: box.top + shadow.dy - reach, width: box.width + 2 * reach, height: box.height + 2 * reach });
  }
  return rects.map((r) => intersect(r, width, height)).filter((r): r is Rect => r !== undefined);
}

/** Footprints of all layers (see {@link layerFootprint}). */
export function layersFootprint(layers: readonly LayerModel[], width: number, height: number): Rect[] {
  return layers.flatMap((l) => layerFootprint(l, width, height));
}
