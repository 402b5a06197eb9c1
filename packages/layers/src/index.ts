/**
 * @backdrop/layers — renders the `text_results` layers of wanx-background-generation-v2 (masks with
 * gradients, radii and shadows; titles with font, weight, colour, alignment, direction, decorations,
 * stroke and shadow) onto the plain images, with new strings if wanted, as PNG (skia through
 * `@napi-rs/canvas`) or as an editable SVG.
 */
export { renderTextLayers, renderTextLayersRaw, type RawPixels, type RenderOptions } from './render-text-layers.js';
export type { LayerGradient, LayerModel, MaskLayerModel, Rect, TextLayerModel, TextOverrides } from './layer-model.js';
export { layersFromWire } from './wire-layers.js';
export { layerFootprint, layersFootprint } from './layer-footprint.js';
export { applyOverrides } from './text-overrides.js';
export { FALLBACK_FAMILY, bundledFontFile, effectiveFontDir } from './font-registry.js';
export { LayersError, type LayersErrorCode } from './errors.js';
