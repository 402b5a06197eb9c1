/**
 * Makes the SVG self-contained for the fallback font: the bundled Noto Sans Hans, cut down to the
 * characters the texts use (harfbuzz hb-subset through `subset-font`, WOFF2, a few KB per weight), as
 * `@font-face` rules. Families named before it still win where the viewer has them installed.
 */
import { readFile } from 'node:fs/promises';
import subsetFont from 'subset-font';
import { FALLBACK_FAMILY, bundledFontFile } from './font-registry.js';
import type { TextPlacement } from './text-placement.js';

const BUNDLED: [number, Parameters<typeof bundledFontFile>[0]][] = [
  [300, 'Light'],
  [350, 'DemiLight'],
  [400, 'Regular'],
  [500, 'Medium'],
  [700, 'Bold'],
];

/** Bundled font files read so far (several MB each; read once per process). */
const fontBytes = new Map<string, Promise<Buffer>>();

function nearestBundled(weight: number): Parameters<typeof bundledFontFile>[0] {
  return BUNDLED.reduce((best, w) => (Math.abs(w[0] - weight) < Math.abs(best[0] - weight) ? w : best))[1];
}

/** `@font-face` rules (CSS) for the fallback family at every weight the placements use. */
export async function fallbackFontFaces(placements: readonly TextPlacement[]): Promise<string> {
  const textByWeight = new Map<number, Set<string>>();
  for (const p of placements) {
    const chars = textByWeight.get(p.weight) ?? new Set<string>();
    for (const run of p.runs) for (const ch of run.text) chars.add(ch);
    textByWeight.set(p.weight, chars);
  }
  const rules: string[] = [];
  for (const [weight, chars] of [...textByWeight].sort((a, b) => a[0] - b[0])) {
    if (chars.size === 0) continue;
    const file = bundledFontFile(nearestBundled(weight));
    let font = fontBytes.get(file);
    if (!font) fontBytes.set(file, (font = readFile(file)));
    const woff2 = await subsetFont(await font, [...chars].join(''), { targetFormat: 'woff2' });
    rules.push(`@font-face{font-family:'${FALLBACK_FAMILY}';font-weight:${weight};src:url(data:font/woff2;base64,${woff2.toString('base64')}) format('woff2');}`);
  }
  return rules.join('\n');
}
