/** Per-key request rate limits over a sliding one-second window. */

/**
 * Admits at most `limit` events in any window of `windowMs`. With `countRefused` (submits: the service's
 * gateway counts calls, refused ones included — the safe reading), a refused event takes its place in the
 * window too, so a client that keeps calling while refused stays refused until it pauses; without it only
 * admitted events count.
 */
class SlidingWindowLimiter {
  private readonly events: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
    private readonly countRefused = false,
  ) {}

  /** Admits an event at `now` (recording it), or returns false (recorded only with `countRefused`) when the window is full. */
  tryAdmit(now: number): boolean {
    while (this.events.length > 0 && this.events[0] <= now - this.windowMs) this.events.shift();
    const admitted = this.events.length < this.limit;
    if (admitted || this.countRefused) this.events.push(now);
    // Refused events beyond what can ever matter are not kept (bounded memory under a flood).
    if (this.events.length > this.limit * 4) this.events.splice(0, this.events.length - this.limit * 4);
    return admitted;
  }
}

/** Tracks the most events seen in any sliding window (for stats: peak submits or queries per second). */
export class WindowPeak {
  private readonly events: number[] = [];
  private best = 0;

  constructor(private readonly windowMs = 1000) {}

  record(now: number): void {
    while (this.events.length > 0 && this.events[0] <= now - this.windowMs) this.events.shift();
    this.events.push(now);
    if (this.events.length > this.best) this.best = this.events.length;
  }

  get peak(): number {
    return this.best;
  }
}

/** The rate limits of one account (API key). */
export class AccountLimits {
  readonly submits: SlidingWindowLimiter;
  readonly queries: SlidingWindowLimiter;

  constructor(submitQps: number, queryQps: number) {
    this.submits = new SlidingWindowLimiter(submitQps, 1000, true);
    this.queries = new SlidingWindowLimiter(queryQps);
  }
}
