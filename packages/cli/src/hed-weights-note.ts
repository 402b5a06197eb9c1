/** The line a command prints when HED weights are loaded: where from, and a warning for demo weights. */
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
