/**
 * Where a backdrop queue lives in Redis: two BullMQ queues (`<name>-prepare` for HED and input checks,
 * `<name>-generate` for upload, submit, poll and download) under the BullMQ prefix `backdrop`, and the
 * shared state of the cluster (limits, item records, counters) under `backdrop:<name>:…`.
 */
export interface QueueNames {
  prefix: string;
  prepare: string;
  generate: string;
  /** Redis key of shared state `part` (e.g. `slots:<fingerprint>`). */
  key(part: string): string;
}

/** The default queue name. */
export const DEFAULT_QUEUE_NAME = 'backdrop';

/** The names of queue `name` (letters, digits, `.`, `_`, `-`). */
export function queueNames(name = DEFAULT_QUEUE_NAME): QueueNames {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new RangeError(`queue name "${name}" may hold only letters, digits, ".", "_" and "-"`);
  return {
    prefix: 'backdrop',
    prepare: `${name}-prepare`,
    generate: `${name}-generate`,
    key: (part) => `backdrop:${name}:${part}`,
  };
}
