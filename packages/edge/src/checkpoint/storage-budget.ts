import { MAX_TOTAL_STORAGE_BYTES } from './checkpoint-limits.js';
import { corrupt } from './format-problem.js';

/** Counts the storage bytes a checkpoint read takes, across all storages, against {@link MAX_TOTAL_STORAGE_BYTES}. */
export class StorageBudget {
  private used = 0;

  /** Charges `bytes` for storage `key` before they are inflated or decoded; throws when over the budget. */
  charge(key: string, bytes: number): void {
    this.used += bytes;
    if (this.used > MAX_TOTAL_STORAGE_BYTES) {
      corrupt(`storage ${key} brings the checkpoint's storages past ${MAX_TOTAL_STORAGE_BYTES} bytes, more than any HED checkpoint holds`);
    }
  }
}
