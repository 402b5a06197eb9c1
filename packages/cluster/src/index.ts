/**
 * @backdrop/cluster — backdrop beyond one machine: items queued in Redis (BullMQ), workers on any number
 * of machines that share each account's limits (2 submits in any sliding second, 1 running task, 20
 * queries/s — counted in Redis), survive the loss of a worker without losing an item or paying twice,
 * and write results in the layout of `backdrop batch`.
 */
export { enqueue, type EnqueueOptions, type EnqueueResult } from './enqueue.js';
export { startWorker, type WorkerOptions, type ClusterWorker, type WorkerEvent } from './worker.js';
export { queueStatus, formatQueueStatus, type QueueStatus, type QueueStatusOptions, type KeyStatus } from './queue-status.js';
export { LocalOutputStore, type OutputStore } from './output-store.js';
export { DEFAULT_SHARED_LIMITS, type SharedLimitSettings } from './shared-limits.js';
export { DEFAULT_QUEUE_NAME } from './queue-names.js';
export { ClusterError, ClusterConfigError, ItemFailedError } from './cluster-errors.js';
