import { setTimeout as sleep } from 'node:timers/promises';

/**
 * At most `limit` events in any window of `windowMs` (a sliding window, not fixed buckets), granted in
 * FIFO order, optionally at least `minSpacingMs` apart (so a budget is spread over the window instead of
 * spent in one burst). `pauseUntil` holds every grant back (after a rate-limit reply).
 */
export class SlidingWindow {
  private readonly stamps: number[] = [];
  private tail: Promise<void> = Promise.resolve();
  private pausedUntil = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly minSpacingMs = 0,
  ) {
    if (!(limit >= 1)) throw new RangeError('SlidingWindow limit must be ≥ 1');
  }

  /** Waits for a grant and records it. */
  acquire(signal?: AbortSignal): Promise<void> {
    const run = this.tail.then(() => this.waitTurn(signal));
    this.tail = run.catch(() => {});
    return run;
  }

  /** No grant before `epochMs`. */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  /** Grants in the last window (for progress and tests). */
  recent(now = Date.now()): number {
    return this.stamps.filter((t) => t > now - this.windowMs).length;
  }

  private async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      while (this.stamps.length > 0 && this.stamps[0] <= now - this.windowMs) this.stamps.shift();
      let wait = this.pausedUntil - now;
      const last = this.stamps[this.stamps.length - 1];
      if (last !== undefined) wait = Math.max(wait, last + this.minSpacingMs - now);
      if (this.stamps.length >= this.limit) wait = Math.max(wait, this.stamps[this.stamps.length - this.limit] + this.windowMs - now + 1);
      if (wait <= 0) {
        this.stamps.push(now);
        return;
      }
      await sleep(wait, undefined, signal ? { signal } : undefined);
    }
  }
}
