import type { Task, TaskStatus } from '@backdrop/api';

/** What happened to one item in a run. One `item-done` event per item. */
export interface ItemResult {
  id: string;
  /** `succeeded` (files on disk), `failed` (see `error`), or `interrupted` (the run was stopped; resume later). */
  status: 'succeeded' | 'failed' | 'interrupted';
  /** The task whose results are (or would have been) used. */
  taskId?: string;
  /** Files under `<out>/<id>/`, e.g. `result-0.png`. */
  files: string[];
  error?: { code: string; message: string };
  /** Submits of this item over all runs. */
  attempts: number;
  /** True when the item was already done in an earlier run (files verified). */
  resumed: boolean;
  /** True when a submit of this item may have created a task we could not identify (possible double charge). */
  possibleDuplicate?: boolean;
  /** The task output's `usage` (`imageCount`: images billed), when the service reported it. */
  usage?: { imageCount?: number };
  /**
   * Images the (succeeded) task did not make, with the service's code (`task_metrics.FAILED > 0`): the
   * others are kept; the item is not submitted again automatically (its good images are paid for).
   */
  missing?: { index: number; code: string; message: string }[];
}

/** Totals of a run. */
export interface BatchSummary {
  /** Every item of the input, each once (also those not reached when the run was stopped: `interrupted`). */
  total: number;
  /** Items whose files are on disk, `resumed` ones included. */
  succeeded: number;
  failed: number;
  interrupted: number;
  /** Of `succeeded`, items already done in an earlier run. */
  resumed: number;
  /** Images written in this run (files). */
  images: number;
  /** Images the succeeded tasks of the run's items did not make (see `ItemResult.missing`). */
  missingImages: number;
  /** Items with a possible duplicate task. */
  possibleDuplicates: number;
  wallMs: number;
  /** `<out>/results.jsonl` */
  resultsFile: string;
}

/** Events of {@link runBatch}, in the order they happen. The last one is `summary`. */
export type BatchEvent =
  | { type: 'start'; lanes: string[]; out: string }
  | { type: 'stage'; id: string; stage: 'prepare' | 'upload' | 'waiting-slot' | 'submit' | 'queued' | 'running' | 'download' }
  /** A task was created; `status` is the one the submit reply gave (the service says PENDING). */
  | { type: 'submitted'; id: string; taskId: string; lane: string; attempt: number; status?: TaskStatus }
  /** The item's task changed status at the service (each change once, the final one included). */
  | { type: 'task-status'; id: string; taskId: string; status: TaskStatus }
  /** The item's task as last read at the service, once it is final (SUCCEEDED, FAILED, CANCELED, UNKNOWN). */
  | { type: 'task-final'; id: string; task: Task }
  | { type: 'retry'; id: string; attempt: number; code: string; message: string }
  | { type: 'warning'; id?: string; code: string; message: string }
  /** Something the user should know that is not a problem (said once), e.g. a fresh service's resume. */
  | { type: 'note'; message: string }
  | { type: 'item-done'; result: ItemResult }
  | { type: 'summary'; summary: BatchSummary };
