/**
 * Keeps task queries under DashScope's per-account limit (20 per second).
 *
 * The service counts requests as they arrive, and arrival can be anywhere between the moment we
 * send and the moment the reply comes back (queues, slow connections, a busy event loop). So a
 * slot is held from the moment a query is granted until one window (1 s) after its reply: then no
 * window of the service's clock can ever hold more than `maxPerSecond` of our queries, however the
 * requests bunch up on the way. Waiters are served first come, first served.
 *
 * One limiter per API key is shared by every DashScope client in the process (`sharedQueryLimiter`),
 * so any number of concurrent `tasks.wait` calls stay under the limit together.
 */

/** Paces requests: resolves with a `release` to call once the reply (or failure) has arrived. */
export interface RequestLimiter {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A first-come, first-served limiter of requests per sliding window, counted from grant to reply + window. */
export class QueryLimiter implements RequestLimiter {
  private inFlight = 0;
  /** Reply times of finished requests still inside the window, oldest first. */
  private readonly finished: number[] = [];
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** @param maxPerSecond requests allowed in any window of `windowMs` (default 1000 ms). */
  constructor(
    readonly maxPerSecond: number,
    private readonly windowMs = 1000,
  ) {
    if (!(maxPerSecond >= 1)) throw new RangeError(`maxPerSecond must be at least 1, got ${maxPerSecond}`);
  }

  /** Number of callers waiting for a slot. */
  get pending(): number {
    return this.waiters.length;
  }

  /**
   * Resolves with a `release` function when the caller may send one request; call `release()` when
   * its reply (or failure) has arrived. Rejects with the signal's reason on abort.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.tryGrant()) return Promise.resolve(this.releaser());
    return new Promise<() => void>((resolve, reject) => {
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

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.finished.push(Date.now());
      this.schedule();
    };
  }

  private tryGrant(): boolean {
    const cutoff = Date.now() - this.windowMs;
    while (this.finished.length > 0 && this.finished[0] <= cutoff) this.finished.shift();
    if (this.inFlight + this.finished.length >= this.maxPerSecond) return false;
    this.inFlight++;
    return true;
  }

  /** Wakes waiters when the oldest finished request leaves the window (releases call this too). */
  private schedule(): void {
    if (this.timer || this.waiters.length === 0) return;
    if (this.finished.length === 0) {
      // Every slot is in flight: the next release schedules.
      if (this.inFlight < this.maxPerSecond) queueMicrotask(() => this.drain());
      return;
    }
    const wait = this.finished[0] + this.windowMs - Date.now() + 1;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.drain();
      },
      Math.max(0, wait),
    );
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.tryGrant()) {
      const waiter = this.waiters.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.releaser());
    }
    this.schedule();
  }
}

/** Queries per second allowed by default: under the service's 20, leaving room for clock jitter. */
export const DEFAULT_QUERIES_PER_SECOND = 18;

const limiters = new Map<string, QueryLimiter>();

/**
 * The process-wide limiter for one name (an API-key fingerprint). The first caller's
 * `maxPerSecond` fixes the rate for that name.
 */
export function sharedQueryLimiter(name: string, maxPerSecond = DEFAULT_QUERIES_PER_SECOND): QueryLimiter {
  let limiter = limiters.get(name);
  if (!limiter) {
    limiter = new QueryLimiter(maxPerSecond);
    limiters.set(name, limiter);
  }
  return limiter;
}
