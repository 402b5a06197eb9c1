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

const BAR_MAX = 16;
const BAR_MIN = 6;

/**
 * The line, at most `columns - 1` characters wide, so the terminal never wraps it: the bar narrows
 * first, then whole parts are left out from the least important (rate, ETA, the service counts) —
 * never a part cut in the middle.
 */
export function progressLine(f: ProgressFacts, columns: number): string {
  const finished = f.done + f.failed;
  const atService = `at service: ${f.running} running${f.pending > 0 ? `, ${f.pending} queued` : ''}`;
  const parts: { text: string; keep: number }[] = [
    { text: `${finished}/${f.total}`, keep: 5 },
    { text: `${f.done} done`, keep: 4 },
    { text: `${f.failed} failed`, keep: 4 },
    { text: atService, keep: 3 },
    { text: `${f.imagesPerMinute.toFixed(1)} img/min`, keep: 1 },
    ...(f.etaSeconds !== undefined ? [{ text: `ETA ${formatDuration(f.etaSeconds)}`, keep: 2 }] : []),
  ];
  const max = Math.max(10, columns - 1);
  const len = (s: string): number => [...s].length;
  let shown = parts;
  for (let level = 1; level <= 4 && len(shown.map((p) => p.text).join(' · ')) > max; level++) shown = shown.filter((p) => p.keep > level);
  const text = shown.map((p) => p.text).join(' · ');
  const room = Math.min(BAR_MAX, max - len(text) - 1);
  if (room < BAR_MIN) return len(text) > max ? [...text].slice(0, max).join('') : text;
  const filled = f.total > 0 ? Math.round((finished / f.total) * room) : 0;
  return `${'█'.repeat(filled)}${'░'.repeat(room - filled)} ${text}`;
}
