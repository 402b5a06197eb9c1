import type { BatchItem, PreparedInput } from './stages-bridge.js';

/** A `prepare` job: one item and where its results go. */
export interface PrepareJobData {
  item: BatchItem;
  /** Output folder (absolute; every worker must reach it). */
  out: string;
  /** Downscale bases over 2048 px instead of failing them. */
  fit: boolean;
  model: string;
  /** Extra attempts for a FAILED task. */
  retries: number;
}

/** A `generate` job: the prepared item. */
export interface GenerateJobData extends PrepareJobData {
  inputs: PreparedInput[];
}

/**
 * The job id of an item: its id and the hash of its definition, so the same item queued twice is one
 * job, and a changed item is a new one.
 */
export function itemJobId(item: BatchItem, specHash: string): string {
  return `${item.id}.${specHash.slice(0, 16)}`;
}
