/**
 * Resuming against a service that keeps nothing between runs (an emulator started for each run):
 * the tasks and uploads of earlier runs are not looked for there — the items they belonged to are
 * generated anew, said once, plainly, and their earlier submits are not counted as attempts.
 */
import type { EngineContext } from './engine-context.js';

/** Clears the earlier runs' unfinished tasks from the journal and marks their items `forgotten`. */
export function forgetEarlierService(ctx: EngineContext): void {
  const t = ctx.clock.now();
  for (const id of [...ctx.journal.ids()]) {
    const rec = ctx.journal.record(id);
    if (!rec || rec.done?.status === 'succeeded') continue;
    const unfinished = rec.task !== undefined || rec.unsettledSubmit !== undefined || (rec.final?.status === 'SUCCEEDED' && !rec.done);
    if (!unfinished) continue;
    if (rec.unsettledSubmit) {
      ctx.journal.append({
        e: 'reconciled',
        id,
        attempt: rec.unsettledSubmit.attempt,
        taskId: null,
        how: 'the service of the earlier run is gone (it keeps nothing between runs)',
        t,
      });
    }
    const task = ctx.journal.record(id)?.task;
    if (task) {
      ctx.journal.append({
        e: 'task-final',
        id,
        taskId: task.taskId,
        status: 'UNKNOWN',
        results: [],
        plain: [],
        code: 'ServiceRestarted',
        message: 'the service of the earlier run is gone (it keeps nothing between runs)',
        t,
      });
    }
    ctx.forgotten.add(id);
    ctx.results.uncount(id, rec.attempts);
  }
  for (const l of ctx.lanes) ctx.uploads.distrustEarlierRuns(l.lane.fingerprint, ctx.settings.model);
  const n = ctx.forgotten.size;
  if (n > 0) {
    ctx.emit({
      type: 'note',
      message: `the in-process emulator started empty, so it does not know the tasks of the earlier run: ${n} unfinished item${n === 1 ? ' is' : 's are'} generated anew (no charge)`,
    });
  }
}
