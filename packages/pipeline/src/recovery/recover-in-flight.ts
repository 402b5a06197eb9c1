/**
 * Resume: the tasks the journal says are at the service (or may be) are adopted into their lanes
 * before anything new is submitted, so no submit exceeds a slot and a task list read for
 * reconciliation shows no task of this run.
 */
import { errorFacts } from '../batch-client.js';
import type { ItemRecord } from '../journal/item-record.js';
import { pollUntilFinal } from '../stages/poll.js';
import type { EngineContext, LaneHandle } from '../engine/engine-context.js';
import { journalFinal } from '../engine/item-lifecycle.js';
import { settleUnsettledSubmit } from './settle-submit.js';

/**
 * Settles the journal's unsettled submits (tasks.list) and adopts its in-service tasks; returns, per
 * item id, the background polling of its adopted task (which journals the final status).
 */
export async function recoverInFlight(ctx: EngineContext): Promise<Map<string, Promise<void>>> {
  const recovering = new Map<string, Promise<void>>();
  const byLane = new Map<string, LaneHandle>(ctx.lanes.map((l) => [l.lane.fingerprint, l]));
  for (const id of [...ctx.journal.ids()]) {
    const rec = ctx.journal.record(id) as ItemRecord;
    const laneFp = rec.task?.lane ?? rec.unsettledSubmit?.lane;
    if (!laneFp) continue;
    const l = byLane.get(laneFp);
    if (!l) {
      ctx.emit({
        type: 'warning',
        id,
        code: 'LaneMissing',
        message: `item ${id} has a task submitted with API key ${laneFp}, which this run does not use; pass that key to pick its result up`,
      });
      continue;
    }
    if (rec.unsettledSubmit) {
      try {
        await settleUnsettledSubmit(ctx, id, l);
      } catch (err) {
        warnRecover(ctx, id, err);
        continue;
      }
    }
    const task = ctx.journal.record(id)?.task;
    if (task) {
      const t = l.lane.adopt({ taskId: task.taskId, itemId: id, submittedAt: task.submittedAt });
      const watch = pollUntilFinal(l.lane, l.client, t, { wantsSlot: () => l.waitingForSlot > 0, ...(ctx.signal ? { signal: ctx.signal } : {}) }).then((final) =>
        journalFinal(ctx, id, final),
      );
      recovering.set(
        id,
        watch.catch((err) => warnRecover(ctx, id, err)),
      );
    }
  }
  return recovering;
}

function warnRecover(ctx: EngineContext, id: string, err: unknown): void {
  const f = errorFacts(err);
  ctx.emit({ type: 'warning', id, code: f.code, message: `item ${id}: could not pick up its earlier task: ${f.message}` });
}
