/**
 * The submit step: one submit of an item on a lane whose slot is reserved, journalled on both sides,
 * under the lane's submit lock and rate window. Its outcome says what happened, so the caller decides
 * what comes next (wait, retry, re-upload, fail) without reading errors itself.
 */
import type { BackgroundGenerationRequest } from '@backdrop/api';
import { errorFacts, isInputDownloadFailure, isRateLimited, isSlotBusy, type ClientErrorFacts } from '../batch-client.js';
import type { BatchItem } from '../item.js';
import { settleFailedSubmit } from '../recovery/settle-submit.js';
import type { InServiceTask } from '../throttle/lane.js';
import type { EngineContext, LaneHandle } from '../engine/engine-context.js';
import { forgetLostUploads } from '../engine/lost-uploads.js';
import type { SubmitWant } from '../journal/journal-entry.js';
import type { ReconcileOutcome } from './reconcile.js';
import type { UploadedInputs } from './upload.js';

/** What one submit came to. Only `submitted` keeps the reserved slot; every other outcome gives it back. */
export type SubmitOutcome =
  /** The service accepted it (or reconciliation found the task it created). */
  | { kind: 'submitted'; task: InServiceTask; requestId?: string; attempt: number }
  /** Nothing sent: another item found meanwhile that the service lost uploads this request reuses. */
  | { kind: 'stale-uploads' }
  /** The service refused it because the account's task slot is busy (no task created). */
  | { kind: 'slot-busy'; failure: ClientErrorFacts; attempt: number }
  /** The service refused it for the request rate (no task created). */
  | { kind: 'rate-limited'; retryAfterMs: number | undefined; failure: ClientErrorFacts; attempt: number }
  /** It failed and certainly created no task. */
  | { kind: 'refused'; failure: ClientErrorFacts; attempt: number }
  /** It failed in a way that may have created a task, and reconciliation adopted none (journalled; a possible duplicate when it could not tell). */
  | { kind: 'unknown'; failure: ClientErrorFacts; attempt: number; mayHaveCreatedTask: true; found: Exclude<ReconcileOutcome, { found: 'one' }> };

/** Runs `fn` holding the lane's submit lock: at most one submit per lane is ever in flight (and unsettled after a crash). */
async function withSubmitLock<T>(l: LaneHandle, fn: () => Promise<T>): Promise<T> {
  const prev = l.submitTail;
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  l.submitTail = prev.then(() => mine);
  await prev;
  try {
    return await fn();
  } finally {
    done();
  }
}

/**
 * Submits `request` once on lane `l`, whose slot the caller has reserved. `reused` are the uploads the
 * request takes from the cache: when they went stale while the item waited, nothing is sent; when the
 * service cannot fetch them (400), they are forgotten before the lock is handed on, so the next item in
 * line re-uploads rather than fail too.
 */
export async function submitOnce(
  ctx: EngineContext,
  item: BatchItem,
  spec: string,
  request: BackgroundGenerationRequest,
  l: LaneHandle,
  reused: UploadedInputs['reused'],
  want?: SubmitWant,
): Promise<SubmitOutcome> {
  const stale = (): boolean => reused.some((r) => ctx.uploads.get(l.lane.fingerprint, ctx.settings.model, r.sha256) !== r.url);
  return withSubmitLock(l, async (): Promise<SubmitOutcome> => {
    // Checked under the lock: a submit just before ours that met lost uploads has forgotten them.
    if (stale()) return { kind: 'stale-uploads' };
    const release = await l.lane.submits.acquire(ctx.signal);
    const attempt = (ctx.journal.record(item.id)?.attempts ?? 0) + 1;
    const startedAt = ctx.clock.now();
    ctx.journal.append({ e: 'submit-started', id: item.id, attempt, lane: l.lane.fingerprint, spec, ...(want ? { want } : {}), t: startedAt });
    ctx.emit({ type: 'stage', id: item.id, stage: 'submit' });
    try {
      const othersInService = l.lane.load() - 1;
      const res = await l.client.backgroundGeneration.submit(request, ctx.signal ? { signal: ctx.signal } : undefined).finally(release);
      ctx.journal.append({ e: 'submit-done', id: item.id, attempt, taskId: res.taskId, requestId: res.requestId, t: ctx.clock.now() });
      if (othersInService > 0) l.lane.learnQueues();
      const task = l.lane.commit({ taskId: res.taskId, itemId: item.id, submittedAt: ctx.clock.now() }, res.taskStatus);
      ctx.emit({ type: 'submitted', id: item.id, taskId: res.taskId, lane: l.lane.fingerprint, attempt, status: res.taskStatus });
      return { kind: 'submitted', task, requestId: res.requestId, attempt };
    } catch (err) {
      release();
      const f = errorFacts(err);
      ctx.journal.append({ e: 'submit-failed', id: item.id, attempt, code: f.code, message: f.message, mayHaveCreatedTask: f.mayHaveCreatedTask, t: ctx.clock.now() });
      if (!f.mayHaveCreatedTask) {
        if (reused.length > 0 && isInputDownloadFailure(f))
          forgetLostUploads(ctx, item, l.lane.fingerprint, reused, `HTTP 400 ${f.code}${f.requestId ? `, request id ${f.requestId}` : ''}`);
        if (isSlotBusy(f)) return { kind: 'slot-busy', failure: f, attempt };
        if (isRateLimited(f)) return { kind: 'rate-limited', retryAfterMs: f.retryAfterMs, failure: f, attempt };
        return { kind: 'refused', failure: f, attempt };
      }
      // The service may have created the task. Find it before anything else is submitted on this
      // lane (still holding the submit lock, so ours is the only unclaimed task in the window).
      const settled = await settleFailedSubmit(ctx, item, l, attempt, startedAt, want);
      return settled.task ? { kind: 'submitted', task: settled.task, attempt } : { kind: 'unknown', failure: f, attempt, mayHaveCreatedTask: true, found: settled.found };
    }
  });
}
