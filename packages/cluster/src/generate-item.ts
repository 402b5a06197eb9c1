import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_TASK_STATUSES, toWireRequest, type BackgroundGenerationRequest, type SubmitResult, type Task, type WireBackgroundGenerationRequest } from '@backdrop/api';
import { ItemFailedError } from './cluster-errors.js';
import type { ItemRecords } from './item-records.js';
import type { GenerateJobData } from './job-data.js';
import type { KeyLane } from './key-clients.js';
import type { OutputStore } from './output-store.js';
import type { SharedLimits } from './shared-limits.js';
import {
  buildRequest,
  downloadPlan,
  recordedFiles,
  errorFacts,
  findUnclaimedTask,
  submitWantOf,
  isKeyRefused,
  isPermanentTaskFailure,
  isRateLimited,
  isSlotBusy,
  resultLine,
  uploadInputs,
  type ClientErrorFacts,
  type UploadUrlCache,
} from './stages-bridge.js';

/** Result URLs and finished tasks live 24 h at the service. */
const RESULT_LIFETIME_MS = 24 * 3600_000;

/** What a worker tells about an item (for its log). */
export type WorkerEvent =
  | { type: 'submitted'; id: string; taskId: string; lane: string; attempt: number }
  | { type: 'adopted'; id: string; taskId: string; lane: string; how: string }
  | { type: 'done'; id: string; taskId: string; lane: string; files: string[] }
  | { type: 'failed'; id: string; code: string; message: string }
  | { type: 'handed-back'; id: string }
  | { type: 'warning'; id?: string; code: string; message: string };

/** Everything the generate stage of one worker shares between its items. */
export interface GenerateContext {
  lanes: KeyLane[];
  limits: SharedLimits;
  records: ItemRecords;
  uploads: UploadUrlCache;
  store(out: string): OutputStore;
  /** Aborted when the worker stops: items not yet submitted are handed back. */
  stopping: AbortSignal;
  /** Milliseconds between task queries (default 250). */
  pollIntervalMs: number;
  emit(e: WorkerEvent): void;
}

/** How one submit ended: a task (sent and answered, or found after an ambiguous failure), or an error. */
type SubmitOutcome = { task: { taskId: string; lane: string; submittedAt: number } } | { error: ClientErrorFacts; reconciled?: true };

/** Thrown when the worker stops before the item was submitted: the job goes back to the queue. */
export class HandBack extends Error {}

/**
 * The generate stage of one item, resumable by any worker: adopt the task a dead owner left (or
 * reconcile its unsettled submit through the task list), otherwise upload under a key, take one of its
 * slots, submit within the shared window (recorded in Redis first), poll, download and record the result.
 */
export class ItemGeneration {
  private readonly byFp: Map<string, KeyLane>;

  constructor(
    private readonly ctx: GenerateContext,
    private readonly jobId: string,
    private readonly data: GenerateJobData,
  ) {
    this.byFp = new Map(ctx.lanes.map((l) => [l.fingerprint, l]));
  }

  private get id(): string {
    return this.data.item.id;
  }

  async run(): Promise<void> {
    const { records } = this.ctx;
    let rec = await records.get(this.jobId);
    if (rec.submit) {
      await this.reconcilePending(rec.submit.lane, rec.submit.startedAt, rec.submit.attempt);
      rec = await records.get(this.jobId);
    }
    const maxAttempts = this.data.retries + 1;
    let task = rec.task;
    if (task) this.ctx.emit({ type: 'adopted', id: this.id, taskId: task.taskId, lane: task.lane, how: 'task recorded by an earlier owner' });
    for (;;) {
      if (!task) {
        if ((await records.get(this.jobId)).attempts >= maxAttempts) throw new ItemFailedError('TaskFailed', `item ${this.id}: no attempts left`);
        task = await this.submitSomewhere();
      }
      const lane = this.lane(task.lane);
      await records.setStage(this.jobId, 'at-service');
      const final = await this.pollUntilFinal(lane, task.taskId);
      await this.ctx.limits.releaseSlot(lane.fingerprint, this.jobId);
      if (final.taskStatus === 'SUCCEEDED') {
        await this.deliver(lane, final);
        return;
      }
      if (final.taskStatus === 'UNKNOWN')
        throw new ItemFailedError('ResultExpired', `item ${this.id}: the service no longer knows task ${task.taskId} (finished tasks are kept about 24 h)`);
      const code = final.code ?? final.taskStatus;
      const message = `task ${task.taskId} ${final.taskStatus}${final.code ? ` ${final.code}` : ''}: ${final.message ?? ''}`.trim();
      const attempts = (await records.get(this.jobId)).attempts;
      if (final.taskStatus === 'CANCELED' || isPermanentTaskFailure(final.code) || attempts >= maxAttempts) throw new ItemFailedError(code, `item ${this.id}: ${message}`);
      this.ctx.emit({ type: 'warning', id: this.id, code, message: `${message}; submitting again` });
      await records.taskDropped(this.jobId);
      task = undefined;
    }
  }

  private lane(fp: string): KeyLane {
    const l = this.byFp.get(fp);
    if (!l) throw new ItemFailedError('LaneMissing', `item ${this.id}: its task belongs to API key ${fp}, which this worker does not hold; start the worker with that key`);
    return l;
  }

  // ---------------------------------------------------------------- reconciliation

  /**
   * A submit of an earlier owner (or of this one, after an ambiguous failure) whose outcome is unknown:
   * under the key's submit lock (so no live submit adds a task meanwhile), find its task with the task
   * list — exactly one unclaimed task in the window is adopted, none means it made none, several fail the
   * item with the candidates named (never a blind resubmit).
   */
  private async reconcilePending(fp: string, startedAt: number, attempt: number): Promise<{ taskId: string } | undefined> {
    const lane = this.lane(fp);
    return this.ctx.limits.withSubmitLock(fp, () => this.reconcileLocked(lane, startedAt, attempt));
  }

  private async reconcileLocked(lane: KeyLane, startedAt: number, attempt: number): Promise<{ taskId: string } | undefined> {
    const { records, limits } = this.ctx;
    await limits.acquireQuery(lane.fingerprint);
    const claimed = await records.claimedTaskIds(lane.fingerprint);
    // Adopt a found task only when it fits the item (image count, the base's size): see task-fit.ts.
    const want = await submitWantOf(this.data.item.n, this.data.inputs);
    const outcome = await findUnclaimedTask(lane.client, this.data.model, startedAt, claimed, Date.now(), want ? { want } : {});
    if (outcome.found === 'one') {
      await records.taskCreated(this.jobId, { taskId: outcome.taskId, lane: lane.fingerprint, submittedAt: startedAt });
      this.ctx.emit({ type: 'adopted', id: this.id, taskId: outcome.taskId, lane: lane.fingerprint, how: `tasks.list: the one unclaimed task of submit ${attempt}` });
      return { taskId: outcome.taskId };
    }
    if (outcome.found === 'none') {
      await records.submitSettledWithoutTask(this.jobId);
      return undefined;
    }
    if (outcome.found === 'ambiguous') {
      await records.submitSettledWithoutTask(this.jobId, true);
      throw new ItemFailedError(
        'SubmitAmbiguous',
        `item ${this.id}: submit ${attempt} on API key ${lane.fingerprint} may have created one of tasks ${outcome.taskIds.join(', ')}, which cannot be told apart; not submitted again (check those tasks, then enqueue the item anew)`,
      );
    }
    throw new Error(`tasks.list unavailable while reconciling item ${this.id}: ${outcome.reason}`);
  }

  // ---------------------------------------------------------------- submit

  /** Keys this worker may still use, least loaded first. */
  private async liveLanes(): Promise<KeyLane[]> {
    const retired = await this.ctx.limits.retired();
    const live = this.ctx.lanes.filter((l) => retired[l.fingerprint] === undefined);
    if (live.length === 0) {
      const reason = Object.values(retired)[0] ?? 'no key';
      throw new ItemFailedError('NoApiKey', `item ${this.id}: every API key was refused by the service (${reason}); check the keys`);
    }
    const loads = await Promise.all(live.map((l) => this.ctx.limits.slotLoad(l.fingerprint)));
    // Ties are broken at random, so that workers holding the keys in the same order spread over them.
    return live
      .map((l, i) => ({ l, load: loads[i] + Math.random() / 2 }))
      .sort((a, b) => a.load - b.load)
      .map((x) => x.l);
  }

  /**
   * Takes a slot of whichever key frees one first, uploads the inputs under that key and submits there;
   * moves on to another key when one is refused. (Uploading while holding the slot costs the service no
   * idle time: the task queued ahead keeps it busy meanwhile.)
   */
  private async submitSomewhere(): Promise<{ taskId: string; lane: string; submittedAt: number }> {
    const { limits, records } = this.ctx;
    let transient = 0;
    let throttled = 0;
    for (;;) {
      await records.setStage(this.jobId, 'waiting-slot');
      const lane = await this.claimAnySlot();
      let request: BackgroundGenerationRequest;
      try {
        const { urls } = await uploadInputs(this.data.inputs, lane, this.data.model, this.ctx.uploads);
        request = { ...buildRequest(this.data.item, urls), model: this.data.model };
      } catch (err) {
        const f = errorFacts(err);
        if (isKeyRefused(f)) {
          await this.retire(lane, f);
          continue;
        }
        await limits.releaseSlot(lane.fingerprint, this.jobId);
        throw err;
      }
      // A slow upload may have outlived the lease: renew it, or queue again (the upload is remembered).
      if (!(await limits.claimSlot(lane.fingerprint, this.jobId))) continue;
      const outcome = await limits.withSubmitLock(lane.fingerprint, () => this.submitLocked(lane, request));
      if ('task' in outcome) return outcome.task;
      await limits.releaseSlot(lane.fingerprint, this.jobId);
      const f = outcome.error;
      if (isKeyRefused(f)) {
        await this.retire(lane, f);
        continue;
      }
      if (isSlotBusy(f)) {
        await limits.learnRefuses(lane.fingerprint);
        await sleep(Math.min(5000, 500 * 2 ** Math.min(throttled++, 3)));
        continue;
      }
      if (isRateLimited(f)) {
        await limits.pause(lane.fingerprint, 'submit', f.retryAfterMs ?? 1000 * 2 ** Math.min(throttled++, 4));
        continue;
      }
      if ('reconciled' in outcome || f.retryable || (f.status !== undefined && f.status >= 500)) {
        if (transient++ < this.data.retries + 2) {
          await sleep(500 * 2 ** Math.min(transient, 4));
          continue;
        }
      }
      throw new ItemFailedError(f.code, `item ${this.id}: submit failed: ${f.message}`);
    }
  }

  /** Waits until a slot of one of the live keys (least loaded first) is ours; hands the item back when the worker stops. */
  private async claimAnySlot(): Promise<KeyLane> {
    for (;;) {
      if (this.ctx.stopping.aborted) throw new HandBack();
      for (const lane of await this.liveLanes()) {
        if (await this.ctx.limits.claimSlot(lane.fingerprint, this.jobId)) return lane;
      }
      await sleep(50 + Math.random() * 50);
    }
  }

  /** One submit under the key's lock: recorded in Redis before it is sent, its task recorded as soon as it is known. */
  private async submitLocked(lane: KeyLane, request: BackgroundGenerationRequest): Promise<SubmitOutcome> {
    const { limits, records } = this.ctx;
    const grant = await limits.acquireSubmit(lane.fingerprint);
    const attempt = (await records.get(this.jobId)).attempts + 1;
    const startedAt = Date.now();
    await records.submitStarted(this.jobId, { lane: lane.fingerprint, attempt, startedAt }, toWireRequest(request));
    let res: SubmitResult;
    try {
      res = await lane.client.backgroundGeneration.submit(request);
    } catch (err) {
      await limits.settleSubmit(lane.fingerprint, grant);
      return this.submitFailed(lane, err, startedAt, attempt);
    }
    await limits.settleSubmit(lane.fingerprint, grant);
    const task = { taskId: res.taskId, lane: lane.fingerprint, submittedAt: Date.now() };
    await records.taskCreated(this.jobId, task);
    this.ctx.emit({ type: 'submitted', id: this.id, taskId: res.taskId, lane: lane.fingerprint, attempt });
    return { task };
  }

  /** A submit failed: when it may have created a task, find it (still under the key's submit lock). */
  private async submitFailed(lane: KeyLane, err: unknown, startedAt: number, attempt: number): Promise<SubmitOutcome> {
    const f = errorFacts(err);
    if (!f.mayHaveCreatedTask) {
      await this.ctx.records.submitSettledWithoutTask(this.jobId);
      return { error: f };
    }
    // The service may have made the task: find it before anything else is submitted on this key.
    await sleep(1000);
    const found = await this.reconcileLocked(lane, startedAt, attempt);
    if (found) return { task: { taskId: found.taskId, lane: lane.fingerprint, submittedAt: startedAt } };
    return { error: f, reconciled: true };
  }

  private async retire(lane: KeyLane, f: ClientErrorFacts): Promise<void> {
    await this.ctx.limits.releaseSlot(lane.fingerprint, this.jobId);
    await this.ctx.limits.retire(lane.fingerprint, `${f.code}: ${f.message}`);
    this.ctx.emit({ type: 'warning', id: this.id, code: f.code, message: `API key ${lane.fingerprint} was refused (${f.message}); retired for every worker` });
  }

  // ---------------------------------------------------------------- poll and deliver

  /** Queries the task within the key's shared query window until it is final, keeping the item's slot lease alive. */
  private async pollUntilFinal(lane: KeyLane, taskId: string): Promise<Task> {
    const { limits } = this.ctx;
    let errors = 0;
    let first = true;
    for (;;) {
      if (!first) await sleep(this.ctx.pollIntervalMs);
      first = false;
      await limits.claimSlot(lane.fingerprint, this.jobId, true);
      await limits.acquireQuery(lane.fingerprint);
      let t: Task;
      try {
        t = await lane.client.tasks.get(taskId);
      } catch (err) {
        const f = errorFacts(err);
        if (isRateLimited(f)) {
          await limits.pause(lane.fingerprint, 'query', f.retryAfterMs ?? 1000);
          continue;
        }
        if (++errors >= 30) throw new Error(`could not read the status of task ${taskId} (${f.code}: ${f.message}); the job is retried`);
        await sleep(Math.min(5000, 200 * 2 ** Math.min(errors, 5)));
        continue;
      }
      errors = 0;
      if (FINAL_TASK_STATUSES.includes(t.taskStatus)) return t;
    }
  }

  private async deliver(lane: KeyLane, task: Task): Promise<void> {
    const { records } = this.ctx;
    const store = this.ctx.store(this.data.out);
    const ended = task.endTime ? Date.parse(task.endTime.replace(' ', 'T')) : Number.NaN;
    if (Number.isFinite(ended) && Date.now() - ended > RESULT_LIFETIME_MS - 60_000) {
      throw new ItemFailedError('ResultExpired', `item ${this.id}: task ${task.taskId} ended ${task.endTime}; its result URLs live 24 h`);
    }
    await records.setStage(this.jobId, 'downloading');
    const plan = downloadPlan(task.results ?? [], task.textResults?.urls ?? []);
    const written = await store.saveResults(this.id, plan);
    const rec = await records.get(this.jobId);
    await store.writeTaskRecord(this.id, {
      tool: 'backdrop worker',
      id: this.id,
      attempts: rec.attempts,
      model: this.data.model,
      account: lane.fingerprint,
      state: 'SUCCEEDED',
      taskId: task.taskId,
      taskStatus: task.taskStatus,
      ...(rec.request !== undefined ? { request: rec.request as WireBackgroundGenerationRequest } : {}),
      uploads: [],
      requestIds: task.requestId ? { lastQuery: task.requestId } : {},
      response: task.raw,
      usage: task.usage,
      files: recordedFiles(plan, written),
      notes: rec.possibleDuplicate ? ['A submit of this item may have created a second task that could not be identified (possible duplicate charge).'] : [],
      timings: { startedAt: new Date().toISOString(), ...(task.endTime ? { finishedAt: task.endTime } : {}), downloadedAt: new Date().toISOString() },
    });
    await store.appendResult(
      resultLine({
        id: this.id,
        status: 'succeeded',
        taskId: task.taskId,
        files: written.map((f) => f.name),
        attempts: rec.attempts,
        resumed: false,
        ...(rec.possibleDuplicate ? { possibleDuplicate: true } : {}),
        ...(task.usage ? { usage: task.usage } : {}),
      }),
    );
    await records.done(this.jobId, lane.fingerprint);
    this.ctx.emit({ type: 'done', id: this.id, taskId: task.taskId, lane: lane.fingerprint, files: written.map((f) => f.name) });
  }
}
