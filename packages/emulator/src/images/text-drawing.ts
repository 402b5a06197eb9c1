/**
 * Draws a title through the shared layer renderer (`@backdrop/layers`): the layers are exactly the
 * `text_results.params` the task reports, so re-rendering them onto the plain image reproduces the result.
 */
import { layersFromWire, renderTextLayersRaw } from '@backdrop/layers';
import type { RawImage } from './background.js';
import { type TitleLayout, type TitleStyle, textResultParams } from './text-layout.js';

/** Draws the layout onto `image` (raw RGB) and returns raw RGB of the same size. */
export function drawTitle(image: RawImage, layout: TitleLayout, style: TitleStyle): RawImage {
  const params = textResultParams(0, layout, style) as { layers: unknown[] };
  const rgba = renderTextLayersRaw({ data: image.data, width: image.width, height: image.height, channels: image.channels === 4 ? 4 : 3 }, layersFromWire(params.layers));
  const rgb = Buffer.alloc(image.width * image.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = rgba.data[i];
    rgb[j + 1] = rgba.data[i + 1];
    rgb[j + 2] = rgba.data[i + 2];
  }
  return { data: rgb, width: image.width, height: image.height, channels: 3 };
}
