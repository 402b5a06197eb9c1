/** Per-key request rate limits over a sliding one-second window. */

/**
 * Admits at most `limit` events in any window of `windowMs`. Only admitted events count, so a client that
 * backs off after a 429 gets through again as soon as the window has room.
 */
export class SlidingWindowLimiter {
  private readonly admitted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  /** Records and admits an event at `now`, or returns false (nothing recorded) when the window is full. */
  tryAdmit(now: number): boolean {
    while (this.admitted.length > 0 && this.admitted[0] <= now - this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
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
    this.submits = new SlidingWindowLimiter(submitQps);
    this.queries = new SlidingWindowLimiter(queryQps);
  }
}
