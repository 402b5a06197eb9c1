/**
 * The seed's edge-element recipe on one decoded RGBA cut-out: the RGB as stored (alpha dropped, not
 * composited) → HEDdetector → Pillow BICUBIC resize back to the cut-out's size → the original alpha put back
 * → an RGBA PNG.
 */
import { detectEdgeMap, type DetectOptions, type DetectTimings } from './hed/detector.js';
import type { HedNetwork } from './hed/network.js';
import type { DecodedRgba } from './image/decode-rgba.js';
import { encodeRgbaPng } from './image/encode-png.js';
import type { ImageU8 } from './image/image-buffer.js';
import { resizeBicubicPillowU8 } from './resize/pillow-bicubic.js';

/** Milliseconds per step of one edge element (decode is filled in by callers that decode). */
export interface EdgeElementTimings extends DetectTimings {
  decodeMs: number;
  resizeBackMs: number;
  encodeMs: number;
}

/** A fresh all-zero timings record. */
export function emptyTimings(): EdgeElementTimings {
  return { decodeMs: 0, resizeMs: 0, networkMs: 0, combineMs: 0, postMs: 0, resizeBackMs: 0, encodeMs: 0 };
}

/** The result of one edge element. */
export interface EdgeElementResult {
  /** The RGBA PNG: the edge map in R, G and B, the input's alpha in A. */
  png: Buffer;
  width: number;
  height: number;
  /** Things the user should know (e.g. the input had no alpha channel). */
  warnings: string[];
}

/** R, G, B of an RGBA image, as stored (no compositing over a background). */
export function rgbOf(rgba: ImageU8): ImageU8 {
  const n = rgba.width * rgba.height;
  const out = new Uint8Array(n * 3);
  const src = rgba.data;
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += 4) {
    out[j] = src[k];
    out[j + 1] = src[k + 1];
    out[j + 2] = src[k + 2];
  }
  return { data: out, width: rgba.width, height: rgba.height, channels: 3 };
}

/** An RGBA image whose R, G, B are the single-channel `map` and whose A comes from `alphaSource` (RGBA). */
function mapWithAlpha(map: ImageU8, alphaSource: ImageU8): ImageU8 {
  const n = map.width * map.height;
  const out = new Uint8Array(n * 4);
  const m = map.data;
  const a = alphaSource.data;
  for (let i = 0, k = 0; i < n; i++, k += 4) {
    const v = m[i];
    out[k] = v;
    out[k + 1] = v;
    out[k + 2] = v;
    out[k + 3] = a[k + 3];
  }
  return { data: out, width: map.width, height: map.height, channels: 4 };
}

/** The warning given for an input without an alpha channel. */
export function noAlphaWarning(name: string): string {
  return `${name} has no alpha channel; it is processed as fully opaque (an edge element is normally a cut-out with transparency).`;
}

/**
 * Makes the edge element of a decoded RGBA image. `name` is used in warnings only.
 * The Pillow resize runs on one channel: the map's three channels are identical and Pillow resizes
 * channels independently, so the result is the same as resizing the RGB map, for a third of the work.
 */
export async function edgeElementFromDecoded(
  network: HedNetwork,
  image: DecodedRgba,
  options: DetectOptions = {},
  name = 'the input',
  timings: EdgeElementTimings = emptyTimings(),
): Promise<EdgeElementResult> {
  const warnings = image.hadAlpha ? [] : [noAlphaWarning(name)];
  const map = await detectEdgeMap(network, rgbOf(image), options, timings);
  let t = performance.now();
  const back = map.width === image.width && map.height === image.height ? map : resizeBicubicPillowU8(map, image.width, image.height);
  const rgba = mapWithAlpha(back, image);
  timings.resizeBackMs += performance.now() - t;
  t = performance.now();
  const png = await encodeRgbaPng(rgba);
  timings.encodeMs += performance.now() - t;
  return { png, width: image.width, height: image.height, warnings };
}
