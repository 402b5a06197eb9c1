import type { BatchClient } from '../batch-client.js';

/** How far around a submit's start a task it created may be stamped: a little before (clock skew), up to the request timeout after. */
const BEFORE_MS = 3_000;
const AFTER_MS = 120_000;

/** Outcome of looking for the task an unsettled submit may have created. */
export type ReconcileOutcome =
  | { found: 'one'; taskId: string }
  | { found: 'none' }
  | { found: 'ambiguous'; taskIds: string[] }
  | { found: 'unavailable'; reason: string };

/**
 * Looks up, with `tasks.list`, the task a submit started at `startedAt` may have created: tasks of
 * `model` created in the window around it that no journal entry claims. Exactly one such task is
 * adopted; none means the submit created nothing and it is safe to submit again.
 */
export async function findUnclaimedTask(
  client: BatchClient,
  model: string,
  startedAt: number,
  claimed: ReadonlySet<string>,
  now = Date.now(),
): Promise<ReconcileOutcome> {
  const from = startedAt - BEFORE_MS;
  const to = Math.min(now + 60_000, startedAt + AFTER_MS);
  const candidates: string[] = [];
  try {
    for (let page = 1; page <= 20; page++) {
      const list = await client.tasks.list({ startTime: new Date(from), endTime: new Date(to), modelName: model, pageNo: page, pageSize: 100 });
      for (const t of list.data) {
        if (claimed.has(t.taskId)) continue;
        if (t.modelName !== undefined && t.modelName !== model) continue;
        if (t.gmtCreate !== undefined && (t.gmtCreate < from || t.gmtCreate > to)) continue;
        candidates.push(t.taskId);
      }
      if (page >= list.totalPage || list.data.length === 0) break;
    }
  } catch (err) {
    return { found: 'unavailable', reason: (err as Error).message ?? String(err) };
  }
  if (candidates.length === 0) return { found: 'none' };
  if (candidates.length === 1) return { found: 'one', taskId: candidates[0] };
  return { found: 'ambiguous', taskIds: candidates };
}
