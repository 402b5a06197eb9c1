/**
 * `@backdrop/cluster` for the `enqueue`, `worker` and `queue` commands, loaded when one of them runs so
 * that the other commands do not load BullMQ and ioredis at start-up.
 */
export type { WorkerEvent as ClusterWorkerEvent, QueueStatus as ClusterQueueStatus } from '@backdrop/cluster';

/** The `@backdrop/cluster` module. */
export type ClusterModule = typeof import('@backdrop/cluster');

/** Loads `@backdrop/cluster`. */
export function loadCluster(): Promise<ClusterModule> {
  return import('@backdrop/cluster');
}
