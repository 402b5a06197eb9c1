/**
 * Settling a submit whose outcome is unknown (it may have created a task): find that task with
 * `tasks.list` and adopt it as the item's task, or establish (and journal) that none can be adopted.
 */
import type { BatchItem } from '../item.js';
import type { ItemRecord } from '../journal/item-record.js';
import type { SubmitWant } from '../journal/journal-entry.js';
import { findUnclaimedTask, type ReconcileOutcome } from '../stages/reconcile.js';
import type { InServiceTask } from '../throttle/lane.js';
import { noteFor, type EngineContext, type LaneHandle } from '../engine/engine-context.js';

/** Every task id the journal gives to some item. */
function claimedTaskIds(ctx: EngineContext): Set<string> {
  const s = new Set<string>();
  for (const id of ctx.journal.ids()) for (const t of ctx.journal.record(id)?.taskIds ?? []) s.add(t);
  return s;
}

/** Looks for the task a submit started at `startedAt` on lane `l` may have created (within the lane's query budget). */
async function lookUp(ctx: EngineContext, l: LaneHandle, startedAt: number, want: SubmitWant | undefined): Promise<ReconcileOutcome> {
  const release = await l.lane.queries.acquire(ctx.signal);
  try {
    return await findUnclaimedTask(l.client, ctx.settings.model, startedAt, claimedTaskIds(ctx), ctx.clock.now(), {
      ...(want ? { want } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      sleep: (ms, signal) => ctx.clock.sleep(ms, signal),
    });
  } finally {
    release();
  }
}

/**
 * Journals that a submit with no known outcome adopted no task. When `tasks.list` could not rule a
 * task out, the item is marked a possible duplicate and a warning says so.
 */
function noTaskAdopted(ctx: EngineContext, id: string, attempt: number, outcome: Exclude<ReconcileOutcome, { found: 'one' }>, submit: string): void {
  const how =
    outcome.found === 'none'
      ? 'tasks.list: no task in the submit window'
      : outcome.found === 'ambiguous'
        ? `tasks.list: cannot tell whether any of tasks ${outcome.taskIds.join(', ')} is this item's`
        : `tasks.list unavailable: ${outcome.reason}`;
  ctx.journal.append({ e: 'reconciled', id, attempt, taskId: null, how, t: ctx.clock.now() });
  if (outcome.found !== 'none') {
    ctx.possibleDuplicates.add(id);
    ctx.emit({
      type: 'warning',
      id,
      code: 'PossibleDuplicate',
      message: `item ${id}: ${submit} may have created a task that cannot be identified (${how}); submitting again — one task may be charged twice`,
    });
  }
}

/** A submit of an earlier run with no known outcome: find the task it created (journalled as this item's task) or establish there is none. */
export async function settleUnsettledSubmit(ctx: EngineContext, id: string, l: LaneHandle): Promise<void> {
  const rec = ctx.journal.record(id) as ItemRecord;
  const u = rec.unsettledSubmit;
  if (!u) return;
  const outcome = await lookUp(ctx, l, u.startedAt, u.want);
  if (outcome.found === 'one') {
    ctx.journal.append({
      e: 'reconciled',
      id,
      attempt: u.attempt,
      taskId: outcome.taskId,
      how: 'tasks.list: the one unclaimed task in the submit window, fitting the item',
      t: ctx.clock.now(),
    });
    ctx.emit({ type: 'warning', id, code: 'SubmitReconciled', message: `item ${id}: an interrupted submit did create task ${outcome.taskId}; using it (no new task)` });
    return;
  }
  noTaskAdopted(ctx, id, u.attempt, outcome, 'an interrupted submit');
}

/**
 * After a submit failed in a way that may have created a task: waits a moment, then looks for it with
 * `tasks.list`. Returns the adopted task (committed to the lane), or undefined when none was created
 * (or it cannot be told, which is journalled and reported as a possible duplicate). Call it holding the
 * lane's submit lock, so the item's task is the only unclaimed one in the window. The second value is
 * what the task list showed when no task was adopted.
 */
export async function settleFailedSubmit(
  ctx: EngineContext,
  item: BatchItem,
  l: LaneHandle,
  attempt: number,
  startedAt: number,
  want?: SubmitWant,
): Promise<{ task: InServiceTask } | { task?: undefined; found: Exclude<ReconcileOutcome, { found: 'one' }> }> {
  await ctx.clock.sleep(1000, ctx.signal);
  const found = await lookUp(ctx, l, startedAt, want);
  if (found.found === 'one') {
    ctx.journal.append({ e: 'reconciled', id: item.id, attempt, taskId: found.taskId, how: 'tasks.list after an ambiguous submit failure', t: ctx.clock.now() });
    const task = l.lane.commit({ taskId: found.taskId, itemId: item.id, submittedAt: startedAt }, 'PENDING');
    ctx.emit({ type: 'submitted', id: item.id, taskId: found.taskId, lane: l.lane.fingerprint, attempt });
    noteFor(ctx, item.id, `The submit's reply was lost; task ${found.taskId} was found in the task list (it fits the request: image count and size) and adopted — no second task.`);
    return { task };
  }
  if (ctx.settings.resubmitUnidentified === false && found.found !== 'none') {
    ctx.journal.append({ e: 'reconciled', id: item.id, attempt, taskId: null, how: `tasks.list: ${found.found}`, t: ctx.clock.now() });
  } else noTaskAdopted(ctx, item.id, attempt, found, 'a failed submit');
  return { found };
}
