/**
 * Keeps task queries under DashScope's per-account limit (20 per second).
 * A sliding one-second window: at most `maxPerSecond` grants in any 1000 ms, waiters served in
 * arrival order. One limiter per API key is shared by every DashScope client in the process
 * (`sharedQueryLimiter`), so any number of concurrent `tasks.wait` calls stay under the limit together.
 */

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A first-come, first-served sliding-window rate limiter. */
export class QueryLimiter {
  private readonly granted: number[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** @param maxPerSecond grants allowed in any window of `windowMs` (default 1000 ms). */
  constructor(readonly maxPerSecond: number, private readonly windowMs = 1000) {
    if (!(maxPerSecond >= 1)) throw new RangeError(`maxPerSecond must be at least 1, got ${maxPerSecond}`);
  }

  /** Number of callers waiting for a slot. */
  get pending(): number {
    return this.waiters.length;
  }

  /** Resolves when the caller may send one query; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.tryGrant()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  private tryGrant(): boolean {
    const now = Date.now();
    while (this.granted.length > 0 && this.granted[0] <= now - this.windowMs) this.granted.shift();
    if (this.granted.length >= this.maxPerSecond) return false;
    this.granted.push(now);
    return true;
  }

  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    const wait = this.granted.length > 0 ? this.granted[0] + this.windowMs - Date.now() + 1 : 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, Math.max(0, wait));
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.tryGrant()) {
      const waiter = this.waiters.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.schedule();
  }
}

/** Queries per second allowed by default: under the service's 20, leaving room for clock jitter. */
export const DEFAULT_QUERIES_PER_SECOND = 18;

const limiters = new Map<string, QueryLimiter>();

/**
 * The process-wide limiter for one API key (by fingerprint). The first caller's `maxPerSecond`
 * fixes the rate for that key.
 */
export function sharedQueryLimiter(keyFingerprint: string, maxPerSecond = DEFAULT_QUERIES_PER_SECOND): QueryLimiter {
  let limiter = limiters.get(keyFingerprint);
  if (!limiter) {
    limiter = new QueryLimiter(maxPerSecond);
    limiters.set(keyFingerprint, limiter);
  }
  return limiter;
}
