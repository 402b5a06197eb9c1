import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The engine's one source of time: the current instant and waiting. Every part of the engine and the
 * throttle reads time through it, so tests can drive time instead of waiting for it.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (at once for ms ≤ 0); rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: `Date.now()` and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(Math.max(0, ms), undefined, signal ? { signal } : undefined),
};
