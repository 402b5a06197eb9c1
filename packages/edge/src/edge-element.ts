/**
 * The seed's edge-element recipe on one decoded RGBA cut-out: the RGB as stored (alpha dropped, not
 * composited) → HEDdetector → Pillow BICUBIC resize back to the cut-out's size → the original alpha put back
 * → an RGBA PNG.
 */
import path from 'node:path';
import { detectEdgeMap, type DetectOptions, type DetectTimings } from './hed/detector.js';
import type { HedNetworkEngine as HedNetwork } from './engines/network-engine.js';
import { decodeRgba, type DecodedRgba } from './image/decode-rgba.js';
import { encodeRgbaPng } from './image/encode-png.js';
import { rgbFromRgba, withAlpha } from './image/channels.js';
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

/** The warning given for an input without an alpha channel. */
function noAlphaWarning(name: string): string {
  return `${name} has no alpha channel; it is processed as fully opaque (an edge element is normally a cut-out with transparency).`;
}

/** Display name of an input for messages. */
export function inputName(input: string | Uint8Array): string {
  return typeof input === 'string' ? path.basename(input) : 'the input image';
}

/** Decodes a file path or image bytes (timed as `decodeMs`), then makes its edge element. */
export async function edgeElementFromInput(
  network: HedNetwork,
  input: string | Uint8Array,
  options: DetectOptions = {},
  timings: EdgeElementTimings = emptyTimings(),
): Promise<EdgeElementResult> {
  const t = performance.now();
  const image = await decodeRgba(input);
  timings.decodeMs += performance.now() - t;
  return edgeElementFromDecoded(network, image, options, inputName(input), timings);
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
  const map = await detectEdgeMap(network, rgbFromRgba(image), options, timings);
  let t = performance.now();
  const back = map.width === image.width && map.height === image.height ? map : resizeBicubicPillowU8(map, image.width, image.height);
  const rgba = withAlpha(back, image);
  timings.resizeBackMs += performance.now() - t;
  t = performance.now();
  const png = await encodeRgbaPng(rgba);
  timings.encodeMs += performance.now() - t;
  return { png, width: image.width, height: image.height, warnings };
}
