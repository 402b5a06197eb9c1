/** The line a command prints when HED weights are loaded: where from, and a warning for demo weights. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WeightsInfo } from '@backdrop/edge';

const SOURCE_LABEL: Record<string, string> = {
  explicit: '--weights',
  env: 'BACKDROP_HED_WEIGHTS',
  cache: 'cache',
  download: 'downloaded',
};

/**
 * `HED: using weights <path> (--weights, 29.4 MB)`, with a plain warning for a small non-standard
 * checkpoint such as the bundled tiny demo. Used by `edge`, `generate --hed` and `batch`.
 */
export function describeHedWeights(weights: WeightsInfo, resolvedPath?: string): string {
  const where = resolvedPath ?? weights.path ?? 'the given checkpoint';
  const from = SOURCE_LABEL[weights.source] ?? weights.source;
  const size = `${(weights.bytes / 1e6).toFixed(1)} MB`;
  if (weights.nonStandard) {
    return (
      `HED: using weights ${where} (${from}, ${size}) — a small non-standard checkpoint (channels ${weights.channels.join('/')}), ` +
      'NOT the real ControlNetHED weights: its edge elements are for trying the pipeline only'
    );
  }
  return `HED: using weights ${where} (${from}, ${size})`;
}

/** Error codes that mean "no usable HED weights": their message gets {@link demoWeightsHint}. */
export const MISSING_WEIGHTS_CODES: ReadonlySet<string> = new Set(['HED_WEIGHTS_UNAVAILABLE', 'HED_WEIGHTS_NOT_FOUND', 'HED_WEIGHTS_REQUIRED']);

/** The bundled demo checkpoint, when this CLI runs from a checkout of the repository. */
function bundledDemoWeights(): string | undefined {
  const file = fileURLToPath(new URL('../../../examples/weights/hed-demo-tiny.pth', import.meta.url));
  if (!existsSync(file)) return undefined;
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * The sentence appended to a missing-weights error: the bundled demo weights let a newcomer try the
 * whole pipeline (random weights: plumbing only, not real edges).
 */
export function demoWeightsHint(): string {
  const demo = bundledDemoWeights() ?? 'examples/weights/hed-demo-tiny.pth (in the backdrop repository)';
  return ` To try backdrop without them, pass --weights ${demo}: tiny random demo weights, for the plumbing only (their edge elements mean nothing).`;
}
