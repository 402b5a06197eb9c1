/**
 * `@backdrop/cluster` for the `enqueue`, `worker` and `queue` commands, loaded at run time: it depends on
 * `@backdrop/pipeline`, so this package cannot import it statically. Once the CLI lives in its own
 * package (which can depend on both), this file becomes a plain `import … from '@backdrop/cluster'`.
 */
import { CliError } from './cli-errors.js';

/** A worker event, as the `worker` command prints it. */
export type ClusterWorkerEvent = { type: string; id?: string; taskId?: string; lane?: string; code?: string; message?: string; how?: string; attempt?: number };

/** Queue counts (see `@backdrop/cluster`'s `QueueStatus`). */
export interface ClusterQueueStatus {
  total: number;
  waiting: number;
  preparing: number;
  atService: number;
  done: number;
  failed: number;
  finished: boolean;
  [more: string]: unknown;
}

/** The part of `@backdrop/cluster` the commands use. */
export interface ClusterModule {
  enqueue(input: string, options: Record<string, unknown>): Promise<{ items: number; added: number; alreadyQueued: number }>;
  startWorker(options: Record<string, unknown>): Promise<{ lanes: string[]; stop(): Promise<void> }>;
  queueStatus(options: Record<string, unknown>): Promise<ClusterQueueStatus>;
  formatQueueStatus(status: ClusterQueueStatus): string;
}

/** Loads the built `@backdrop/cluster` from its place beside this package. */
export async function loadCluster(): Promise<ClusterModule> {
  const url = new URL('../../../cluster/dist/index.js', import.meta.url);
  try {
    return (await import(url.href)) as ClusterModule;
  } catch (err) {
    throw new CliError('CLUSTER_UNAVAILABLE', `@backdrop/cluster is not built (${(err as Error).message}); run \`pnpm build\``, { cause: err });
  }
}
