/**
 * When a failed HTTP attempt is tried again, and after how long.
 *
 * THE SUBMIT RULE (a duplicate submit costs the user money):
 * A submit is retried only when the service certainly created no task:
 *   - it answered 429 (`Throttling*`): the gateway refused the request before any task existed;
 *   - the request never left this machine: the connection was refused, DNS failed, or the
 *     connection (TCP, or TLS for https) was never established — reset or timed out while connecting.
 *     Submits use a fresh connection each (no keep-alive reuse), so "connected" is exact: once a
 *     connection is up, Node writes the whole request at once, and we must assume it arrived.
 * Everything else is ambiguous and is surfaced, never silently resubmitted: a reset or timeout
 * after connecting, and any 5xx (a gateway may fail after the backend accepted the task). Such
 * errors carry `mayHaveCreatedTask = true`. Other 4xx replies are refusals: nothing was created,
 * and retrying the same body would fail the same way, so they are surfaced with `false`.
 *
 * THE QUERY RULE (task get/list/cancel, upload policy, OSS upload — all harmless to repeat):
 * retry 408, 429, 5xx, timeouts and network errors.
 *
 * Delays: exponential backoff with jitter (base × 2^attempt, capped, minus up to 25 % at random);
 * a `Retry-After` (seconds or HTTP date) or `retry-after-ms` header replaces the computed delay.
 * A Retry-After longer than `maxRetryAfterMs` is not waited out: the error is surfaced instead.
 */

/** How one attempt failed, as far as retrying is concerned. */
export type AttemptFailure =
  /** The service replied with an error status. */
  | { kind: 'http'; status: number }
  /** No reply: connection refused/reset, DNS, TLS. `requestSent`: any request byte may have left. */
  | { kind: 'network'; requestSent: boolean }
  /** No reply within the timeout. */
  | { kind: 'timeout'; requestSent: boolean };

/** Backoff settings. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Cap of the computed delay. Default 8 s. */
  maxDelayMs?: number;
  /** Longest Retry-After honoured; a longer one ends retrying. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Random source in [0, 1), for tests. */
  random?: () => number;
}

/** What to do after a failed submit attempt. */
export interface SubmitRetryDecision {
  retry: boolean;
  mayHaveCreatedTask: boolean;
}

/** The submit rule (see the module comment). */
export function decideSubmitRetry(failure: AttemptFailure): SubmitRetryDecision {
  switch (failure.kind) {
    case 'http':
      if (failure.status === 429) return { retry: true, mayHaveCreatedTask: false };
      if (failure.status >= 500) return { retry: false, mayHaveCreatedTask: true };
      return { retry: false, mayHaveCreatedTask: false };
    case 'network':
    case 'timeout':
      return failure.requestSent ? { retry: false, mayHaveCreatedTask: true } : { retry: true, mayHaveCreatedTask: false };
  }
}

/** The query rule (see the module comment). */
export function isRetryableQueryFailure(failure: AttemptFailure): boolean {
  if (failure.kind !== 'http') return true;
  return failure.status === 408 || failure.status === 429 || failure.status >= 500;
}

/** Exponential backoff with jitter for retry number `attempt` (0 = first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? 500;
  const cap = options.maxDelayMs ?? 8_000;
  const random = options.random ?? Math.random;
  const exp = Math.min(cap, base * 2 ** Math.max(0, attempt));
  return Math.round(exp * (1 - 0.25 * random()));
}

/**
 * Parses `retry-after-ms` / `Retry-After` (delta-seconds or an HTTP date) into milliseconds;
 * undefined when absent or unreadable.
 */
export function parseRetryAfterMs(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v)?.trim();
  const ms = first(headers['retry-after-ms']);
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Math.ceil(Number(ms));
  const value = first(headers['retry-after']);
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * The delay before retry number `attempt`, or undefined when the server asked for a longer pause
 * than `maxRetryAfterMs` (then the caller surfaces the error).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions = {}): number | undefined {
  if (retryAfterMs !== undefined) {
    const max = options.maxRetryAfterMs ?? 60_000;
    return retryAfterMs <= max ? retryAfterMs : undefined;
  }
  return backoffDelayMs(attempt, options);
}
