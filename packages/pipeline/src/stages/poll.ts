import { FINAL_TASK_STATUSES, type Task, type TaskStatus } from '@backdrop/api';
import { errorFacts, isRateLimited, type BatchClient } from '../batch-client.js';
import { BatchError } from '../errors.js';
import type { InServiceTask, Lane } from '../throttle/lane.js';

/** Polling a task kept failing; the task may still finish (the journal keeps it for a later run). */
class PollFailedError extends BatchError {
  constructor(taskId: string, detail: string) {
    super('PollFailed', `could not read the status of task ${taskId} (${detail}); run the batch again later to pick it up`);
  }
}

/**
 * Queries a task until it is final, at the pace the lane decides (fast only when the slot would
 * otherwise idle and the task is due to end), within the lane's query budget. Frees the lane's slot
 * the moment the task is seen final.
 */
export async function pollUntilFinal(
  lane: Lane,
  client: BatchClient,
  task: InServiceTask,
  options: { wantsSlot: () => boolean; onStatus?: (status: TaskStatus) => void; signal?: AbortSignal; maxConsecutiveErrors?: number },
): Promise<Task> {
  let errors = 0;
  let first = true;
  for (;;) {
    const clock = lane.clock;
    const delay = first ? 0 : lane.nextPollDelay(task, clock.now(), options.wantsSlot());
    first = false;
    if (delay > 0) await clock.sleep(delay, options.signal);
    const release = await lane.queries.acquire(options.signal);
    let t: Task;
    try {
      t = await client.tasks.get(task.taskId, options.signal ? { signal: options.signal } : undefined);
      release();
    } catch (err) {
      release();
      if (options.signal?.aborted) throw err;
      const f = errorFacts(err);
      if (isRateLimited(f)) {
        lane.queries.pauseUntil(lane.clock.now() + (f.retryAfterMs ?? 1000));
        continue;
      }
      errors++;
      if (errors >= (options.maxConsecutiveErrors ?? 30)) {
        // Give the slot back so the lane goes on; if the task still runs, the service says so (queue or 429).
        lane.abandon(task.taskId);
        throw new PollFailedError(task.taskId, `${f.code}: ${f.message}`);
      }
      await clock.sleep(Math.min(5000, 200 * 2 ** Math.min(errors, 5)), options.signal);
      continue;
    }
    errors = 0;
    const now = clock.now();
    if (t.taskStatus !== task.status) options.onStatus?.(t.taskStatus);
    task.status = t.taskStatus;
    if (t.taskStatus === 'RUNNING' && task.runningSince === undefined) task.runningSince = now;
    if (FINAL_TASK_STATUSES.includes(t.taskStatus)) {
      lane.finish(task.taskId, now);
      return t;
    }
  }
}
