import { systemClock, type Clock } from '../clock/clock.js';

/**
 * At most `limit` requests in any window of `windowMs` (a sliding window, not fixed buckets), granted
 * in FIFO order, optionally at least `minSpacingMs` apart (so a budget is spread over the window instead
 * of spent in one burst). `pauseUntil` holds every grant back (after a rate-limit reply).
 *
 * The service counts a request when it arrives, which can be any time between sending and the reply.
 * So a request holds its place from its grant until one window after its reply (the `release` that
 * `acquire` resolves with): however requests bunch up on the way, no window of the service's clock
 * sees more than `limit` of them.
 */
export class SlidingWindow {
  /** Release times of finished requests still inside the window, oldest first. */
  private readonly released: number[] = [];
  /** Grant times, for `recent`. */
  private readonly grants: number[] = [];
  private inFlight = 0;
  private lastGrant: number | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private pausedUntil = 0;
  private wakeOnRelease: (() => void) | undefined;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly minSpacingMs = 0,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(limit >= 1)) throw new RangeError('SlidingWindow limit must be ≥ 1');
  }

  /** Waits for a grant; resolves with `release`, to call once the request's reply (or failure) is in. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    const run = this.tail.then(() => this.waitTurn(signal));
    this.tail = run.catch(() => {});
    return run;
  }

  /** No grant before `epochMs`. */
  pauseUntil(epochMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, epochMs);
  }

  /** Grants in the last window (for progress and tests). */
  recent(now = this.clock.now()): number {
    return this.grants.filter((t) => t > now - this.windowMs).length;
  }

  private async waitTurn(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      while (this.released.length > 0 && this.released[0] <= now - this.windowMs) this.released.shift();
      while (this.grants.length > 0 && this.grants[0] <= now - this.windowMs) this.grants.shift();
      if (this.inFlight >= this.limit) {
        await this.nextRelease(signal);
        continue;
      }
      let wait = this.pausedUntil - now;
      if (this.lastGrant !== undefined) wait = Math.max(wait, this.lastGrant + this.minSpacingMs - now);
      const used = this.inFlight + this.released.length;
      if (used >= this.limit) wait = Math.max(wait, this.released[used - this.limit] + this.windowMs - now + 1);
      if (wait <= 0) {
        this.inFlight++;
        this.lastGrant = now;
        this.grants.push(now);
        return this.releaser();
      }
      await this.clock.sleep(wait, signal);
    }
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.released.push(this.clock.now());
      const wake = this.wakeOnRelease;
      this.wakeOnRelease = undefined;
      wake?.();
    };
  }

  /** Resolves at the next release (every place is taken by a request in flight). */
  private nextRelease(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const prev = this.wakeOnRelease;
      this.wakeOnRelease = () => {
        signal?.removeEventListener('abort', onAbort);
        prev?.();
        resolve();
      };
    });
  }
}
