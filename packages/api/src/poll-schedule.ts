/**
 * How long `tasks.wait` sleeps between queries.
 * The official SDKs poll at 1 s, doubling every 3 polls, capped at 5 s (1,1,2,2,2,4,4,4,5,…): a
 * task that ends at 10 s is seen at 12 s. The default here polls every second for the first 20 s
 * (most tasks of this model end within that, so results are seen within 1 s), then slows to 2 s,
 * 3 s, and 5 s from one minute on. One wait costs at most 1 query per second, far under the
 * 20/s account limit, which the shared query limiter enforces anyway.
 */
import type { Task } from './types.js';

/** What a schedule sees when choosing the next delay. */
export interface PollContext {
  /** Queries made so far for this wait (≥ 1). */
  attempt: number;
  /** Milliseconds since the wait started. */
  elapsedMs: number;
  /** The latest task state. */
  task: Task;
}

/** Returns the milliseconds to sleep before the next query. */
export type PollSchedule = (context: PollContext) => number;

/** The default schedule (see the module comment). */
export const defaultPollSchedule: PollSchedule = ({ elapsedMs }) => {
  if (elapsedMs < 20_000) return 1_000;
  if (elapsedMs < 40_000) return 2_000;
  if (elapsedMs < 60_000) return 3_000;
  return 5_000;
};

/** The official SDKs' schedule: 1 s, doubling every 3 polls, capped at 5 s. */
export const sdkPollSchedule: PollSchedule = ({ attempt }) => Math.min(5_000, 1_000 * 2 ** Math.floor(attempt / 3));

/** A fixed interval, or a schedule function, as a schedule function. */
export function toPollSchedule(interval: number | PollSchedule | undefined): PollSchedule {
  if (interval === undefined) return defaultPollSchedule;
  if (typeof interval === 'function') return interval;
  if (!(interval >= 0)) throw new RangeError(`pollIntervalMs must be a non-negative number, got ${interval}`);
  return () => interval;
}
