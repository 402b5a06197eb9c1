/** The line a command prints when HED weights are loaded: where from, and a warning for demo weights. */
import type { WeightsInfo } from '@backdrop/edge';

/** `HED: using <path> (29.4 MB)`, or a plain warning for a small non-standard checkpoint. */
export function describeHedWeights(weights: WeightsInfo, resolvedPath?: string): string {
  const where = resolvedPath ?? weights.path ?? 'the given checkpoint';
  if (weights.nonStandard) {
    return (
      `HED: using ${where} — a small non-standard checkpoint (channels ${weights.channels.join('/')}), ` +
      'NOT the real ControlNetHED weights: its edge elements are for trying the pipeline only'
    );
  }
  return `HED: using ${where} (${(weights.bytes / 1e6).toFixed(1)} MB)`;
}
