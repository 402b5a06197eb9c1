/**
 * Reads layers in the service's wire form (snake_case: `font_size`, `color_stops`, …, as in `task.json`
 * responses) into the camelCase layer model. Unknown keys are carried over in camelCase.
 */
import type { LayerModel } from './layer-model.js';

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function camelDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [camel(k), camelDeep(v)]));
  }
  return value;
}

/** Converts wire layers (`text_results.params[i].layers`) to the layer model. */
export function layersFromWire(layers: readonly unknown[]): LayerModel[] {
  return layers.filter((l): l is Record<string, unknown> => !!l && typeof l === 'object').map((l) => camelDeep(l) as LayerModel);
}
