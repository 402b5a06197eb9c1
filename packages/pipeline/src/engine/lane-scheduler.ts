/**
 * Placing items on lanes: the least loaded live lane takes an item; its inputs are uploaded for that
 * lane; the item waits for the lane's slot and is submitted, with the waits, retries and re-uploads
 * each submit outcome calls for. A key the service refuses is retired and its items move on.
 */
import type { BackgroundGenerationRequest } from '@backdrop/api';
import { submitWantOf } from '../stages/task-fit.js';
import type { SubmitWant } from '../journal/journal-entry.js';
import { errorFacts, isInputDownloadFailure, type ClientErrorFacts } from '../batch-client.js';
import type { BatchItem } from '../item.js';
import { buildRequest } from '../request-builder.js';
import { submitOnce, type SubmitOutcome } from '../stages/submit.js';
import { uploadInputs, type UploadedInputs } from '../stages/upload.js';
import type { InServiceTask } from '../throttle/lane.js';
import { ItemFailure, itemDir, type EngineContext, type LaneHandle, type Timings } from './engine-context.js';

/** Errors that condemn a key, not an item: wrong or revoked key, no access, account in arrears. */
function isKeyRefused(f: ClientErrorFacts): boolean {
  return f.status === 401 || f.status === 403 || f.code === 'InvalidApiKey' || f.code === 'Arrearage' || f.code.startsWith('AccessDenied');
}

/** Thrown inside `placeOnLane` when the item's reused uploads went stale while it waited for the slot: upload again. */
class StaleUploads extends Error {}

/** The live lane with the least work queued (undefined when every key was refused). */
function pickLane(ctx: EngineContext): LaneHandle | undefined {
  let best: LaneHandle | undefined;
  for (const l of ctx.lanes) {
    if (ctx.refusedKeys.has(l.lane.index)) continue;
    if (!best || l.lane.backlog + l.lane.load() < best.lane.backlog + best.lane.load()) best = l;
  }
  return best;
}

/** An item on a lane with its task in service. */
interface Placed {
  l: LaneHandle;
  request: BackgroundGenerationRequest;
  reused: UploadedInputs['reused'];
  uploads: UploadedInputs['uploads'];
  task: InServiceTask;
  requestId?: string;
}

/**
 * Uploads the item's inputs for a lane and submits it there. A key the service refuses (401, 403,
 * arrears) is retired and the item moves to another key; when none is left the item fails. When the
 * service cannot fetch inputs reused from the upload cache (a 400 submit creates no task), they are
 * forgotten and uploaded again, once.
 */
export async function placeOnLane(ctx: EngineContext, item: BatchItem, spec: string, inputs: Parameters<typeof uploadInputs>[0], timings: Timings): Promise<Placed> {
  let refreshedUploads = false;
  for (;;) {
    const l = pickLane(ctx);
    if (!l) {
      const f = [...ctx.refusedKeys.values()][0];
      throw new ItemFailure(f?.code ?? 'NoApiKey', `every API key was refused by the service (${f?.message ?? 'no key'}); check the keys and run again`, f);
    }
    l.lane.backlog++;
    try {
      ctx.emit({ type: 'stage', id: item.id, stage: 'upload' });
      const { request, reused, uploads } = await uploadAndBuild(ctx, item, inputs, l);
      timings.uploadedAt = ctx.clock.now();
      ctx.emit({ type: 'stage', id: item.id, stage: 'waiting-slot' });
      try {
        const submitted = await submitUntilAccepted(ctx, item, spec, request, l, reused);
        return { l, request, reused, uploads, ...submitted };
      } catch (err) {
        if (err instanceof StaleUploads) continue;
        // The submit step has already forgotten the uploads the service could not fetch: upload again, once.
        const f = err instanceof ItemFailure ? err.facts : undefined;
        if (refreshedUploads || reused.length === 0 || !f || !isInputDownloadFailure(f)) throw err;
        refreshedUploads = true;
        continue;
      }
    } catch (err) {
      const f = err instanceof ItemFailure ? err.facts : errorFacts(err);
      if (!f || !isKeyRefused(f)) throw err;
      if (!ctx.refusedKeys.has(l.lane.index)) {
        ctx.refusedKeys.set(l.lane.index, f);
        const left = ctx.lanes.length - ctx.refusedKeys.size;
        ctx.emit({
          type: 'warning',
          code: f.code,
          message: `API key ${l.lane.fingerprint} was refused (${f.message}); ${left > 0 ? `its items move to the other ${left} key(s)` : 'no key is left'}`,
        });
      }
    } finally {
      l.lane.backlog--;
    }
  }
}

/** Uploads (or takes from the cache) the item's inputs for a lane and builds the request from the URLs. */
export async function uploadAndBuild(
  ctx: EngineContext,
  item: BatchItem,
  inputs: Parameters<typeof uploadInputs>[0],
  l: LaneHandle,
): Promise<{ request: BackgroundGenerationRequest; reused: UploadedInputs['reused']; uploads: UploadedInputs['uploads'] }> {
  const { urls, reused, uploads } = await ctx.uploadQueue.add(() => uploadInputs(inputs, { fingerprint: l.lane.fingerprint, client: l.client }, ctx.settings.model, ctx.uploads));
  const request: BackgroundGenerationRequest = { ...buildRequest(item, urls), model: ctx.settings.model };
  const want = await submitWantOf(request.parameters?.n, inputs);
  if (want) wants.set(request, want);
  return { request, reused, uploads };
}

/**
 * The item's submit reply was lost and the task list cannot say which task (if any) it created: the item
 * fails naming the candidate tasks and how to fetch them — it is not submitted again (it would be paid twice).
 */
function unidentifiedSubmit(
  ctx: EngineContext,
  item: BatchItem,
  f: ClientErrorFacts,
  found: { found: 'ambiguous'; taskIds: string[] } | { found: 'unavailable'; reason: string },
): ItemFailure {
  const out = itemDir(ctx.settings, item.id);
  const what =
    found.found === 'ambiguous'
      ? `it may have created one of tasks ${found.taskIds.join(', ')}, which cannot be told apart from other tasks on the account; check them and fetch yours with ${found.taskIds.map((id) => `\`backdrop status ${id} --download ${out}\``).join(' or ')}`
      : `the task list could not be read (${found.reason}); look for the task in the Model Studio console task list before submitting again`;
  return new ItemFailure('SubmitUnknown', `The submit's reply was lost (${f.code}); ${what}. Not submitted again, so nothing is paid twice.`, f);
}

/**
 * What a request's task must look like to be its own (images asked for, the base's size, which the
 * results have), kept per request object so a reconciliation can check a found task against it.
 */
const wants = new WeakMap<BackgroundGenerationRequest, SubmitWant>();

/**
 * Waits for the lane's slot and rate window and submits, until the service accepts the item (or
 * reconciliation adopts the task a failed submit created). Slot-busy and rate-limited refusals wait
 * and ask again; transient failures are retried a few times; anything else fails the item.
 */
export async function submitUntilAccepted(
  ctx: EngineContext,
  item: BatchItem,
  spec: string,
  request: BackgroundGenerationRequest,
  l: LaneHandle,
  reused: UploadedInputs['reused'] = [],
): Promise<{ task: InServiceTask; requestId?: string }> {
  let transient = 0;
  let throttled = 0;
  for (;;) {
    l.waitingForSlot++;
    try {
      await l.lane.reserve(ctx.signal);
    } finally {
      l.waitingForSlot--;
    }
    const outcome: SubmitOutcome = await submitOnce(ctx, item, spec, request, l, reused, wants.get(request));
    if (outcome.kind === 'submitted') return { task: outcome.task, ...(outcome.requestId !== undefined ? { requestId: outcome.requestId } : {}) };
    l.lane.unreserve();
    switch (outcome.kind) {
      case 'stale-uploads':
        throw new StaleUploads();
      case 'slot-busy':
        l.lane.learnRefuses();
        // Something else holds the slot (another tool on this account): wait a little before asking again.
        if (l.lane.load() === 0) await ctx.clock.sleep(Math.min(5000, 500 * 2 ** Math.min(throttled++, 3)), ctx.signal);
        continue;
      case 'rate-limited':
        l.lane.submits.pauseUntil(ctx.clock.now() + (outcome.retryAfterMs ?? 1000 * 2 ** Math.min(throttled++, 4)));
        continue;
      case 'unknown':
        if (ctx.settings.resubmitUnidentified === false && outcome.found.found !== 'none') throw unidentifiedSubmit(ctx, item, outcome.failure, outcome.found);
        if (transient++ < ctx.settings.retries + 2) continue;
        throw new ItemFailure(outcome.failure.code, `submit failed: ${outcome.failure.message}`);
      case 'refused': {
        const f = outcome.failure;
        if ((f.retryable || (f.status !== undefined && f.status >= 500)) && transient++ < ctx.settings.retries + 2) {
          ctx.emit({ type: 'retry', id: item.id, attempt: outcome.attempt + 1, code: f.code, message: `submit failed (${f.message}); retrying` });
          await ctx.clock.sleep(500 * 2 ** Math.min(transient, 4), ctx.signal);
          continue;
        }
        throw new ItemFailure(f.code, `submit failed: ${f.message}`, f);
      }
    }
  }
}
