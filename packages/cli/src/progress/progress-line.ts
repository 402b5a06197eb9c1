/** The live progress line of a batch, fitted to the terminal's width (pure, for tests). */

/** What the line shows. */
export interface ProgressFacts {
  total: number;
  done: number;
  failed: number;
  /** Tasks the service reports RUNNING. */
  running: number;
  /** Tasks submitted that the service holds PENDING (queued at the service). */
  pending: number;
  imagesPerMinute: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
}

/** A duration with its units: `42 s`, `3m 20s`, `1h 05m`. */
export function formatDuration(secs: number): string {
  if (secs < 60) return `${secs.toFixed(secs < 10 ? 1 : 0)} s`;
  const m = Math.floor(secs / 60);
  const s = Math.round(secs % 60);
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/**
 * The line, at most `columns - 1` characters wide: whole parts are left out from the least important
 * (rate, then ETA, the bar, the counts at the service) rather than a part being cut in the middle.
 */
export function progressLine(f: ProgressFacts, columns: number): string {
  const finished = f.done + f.failed;
  const width = 16;
  const filled = f.total > 0 ? Math.round((finished / f.total) * width) : 0;
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const atService = [`${f.running} running`, ...(f.pending > 0 ? [`${f.pending} queued at service`] : [])].join(', ');
  const parts: { text: string; keep: number }[] = [
    { text: bar, keep: 3 },
    { text: `${finished}/${f.total}`, keep: 6 },
    { text: `${f.done} done`, keep: 5 },
    { text: `${f.failed} failed`, keep: 5 },
    { text: `at service: ${atService}`, keep: 4 },
    { text: `${f.imagesPerMinute.toFixed(1)} img/min`, keep: 1 },
    ...(f.etaSeconds !== undefined ? [{ text: `ETA ${formatDuration(f.etaSeconds)}`, keep: 2 }] : []),
  ];
  const render = (ps: typeof parts): string => {
    const [first, ...rest] = ps;
    if (!first) return '';
    return first.text === bar ? `${bar} ${rest.map((p) => p.text).join(' · ')}` : ps.map((p) => p.text).join(' · ');
  };
  const max = Math.max(10, columns - 1);
  let shown = parts;
  for (let level = 1; level <= 6 && [...render(shown)].length > max; level++) shown = shown.filter((p) => p.keep > level);
  const line = render(shown);
  return [...line].length > max ? [...line].slice(0, max).join('') : line;
}
