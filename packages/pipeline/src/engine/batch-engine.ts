import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { toWireRequest, type BackgroundGenerationRequest, type Task } from '@backdrop/api';
import { errorFacts, isInputDownloadFailure, isInputDownloadTaskFailure, isPermanentTaskFailure, isRateLimited, isSlotBusy, type BatchClient, type ClientErrorFacts } from '../batch-client.js';
import { UploadCache } from '../cache/upload-cache.js';
import { ResultExpiredError } from '../errors.js';
import { itemSpecHash, type BatchItem } from '../item.js';
import { Journal } from '../journal/journal.js';
import type { JournalFile } from '../journal/journal-entry.js';
import type { ItemRecord } from '../journal/item-record.js';
import type { BatchSource } from '../manifest/batch-source.js';
import { buildRequest } from '../request-builder.js';
import { writeTaskRecord } from '../output/task-record.js';
import { writeResultsFile } from '../output/results-file.js';
import { downloadFiles, downloadPlan, DownloadError, filesIntact } from '../stages/download.js';
import { pollUntilFinal } from '../stages/poll.js';
import { prepareItem, type EdgeMaker } from '../stages/prepare.js';
import { findUnclaimedTask, type ReconcileOutcome } from '../stages/reconcile.js';
import { uploadInputs, type UploadedInputs } from '../stages/upload.js';
import { Lane, type InServiceTask, type LaneLimits } from '../throttle/lane.js';
import type { BatchEvent, BatchSummary, ItemResult } from './batch-events.js';
import { Semaphore } from './semaphore.js';

/** Result URLs and finished tasks live 24 h at the service. */
const RESULT_LIFETIME_MS = 24 * 3600_000;

/** One API key's connection, as the engine uses it. */
export interface EngineLane {
  fingerprint: string;
  client: BatchClient;
  /** No submit or query before this epoch ms (another process used the key until then). */
  quietUntil?: number;
}

/** Settings of the engine (see `BatchOptions` for the documented, public form). */
export interface EngineSettings {
  out: string;
  lanes: EngineLane[];
  model: string;
  limits: LaneLimits;
  retries: number;
  lookahead: number;
  prepareConcurrency: number;
  uploadConcurrency: number;
  fit: boolean;
  /** Generate anew, in this run, an item whose earlier task or results the service no longer has (else: ResultExpired). */
  regenerateExpired: boolean;
  edges?: EdgeMaker;
  signal?: AbortSignal;
  now?: () => number;
}

interface Timings {
  preparedAt?: number;
  uploadedAt?: number;
  submittedAt?: number;
  endedAt?: number;
  downloadedAt?: number;
}

class ItemFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The service error behind it, when there was one. */
    readonly facts?: ClientErrorFacts,
  ) {
    super(message);
  }
}

/** `{ usage }` for an item result when the task output reported usage (images billed). */
function usageOf(usage: unknown): { usage?: { imageCount?: number } } {
  return usage && typeof usage === 'object' ? { usage: usage as { imageCount?: number } } : {};
}

/** Thrown by `submit` when the item's reused uploads went stale while it waited for the slot: upload again. */
class StaleUploads extends Error {}

/** Errors that condemn a key, not an item: wrong or revoked key, no access, account in arrears. */
function isKeyRefused(f: ClientErrorFacts): boolean {
  return f.status === 401 || f.status === 403 || f.code === 'InvalidApiKey' || f.code === 'Arrearage' || f.code.startsWith('AccessDenied');
}

/**
 * The batch engine: streams items through prepare → upload → submit → poll → download with a bounded
 * look-ahead, keeps every lane's task slot busy within its limits, journals every side effect, and
 * resumes from the journal.
 */
export class BatchEngine {
  private readonly lanes: { lane: Lane; client: BatchClient }[];
  private readonly stateDir: string;
  private journal!: Journal;
  private uploads!: UploadCache;
  private readonly prepareGate: Semaphore;
  private readonly uploadGate: Semaphore;
  private readonly lookaheadGate: Semaphore;
  private readonly recovering = new Map<string, Promise<void>>();
  private readonly results = new Map<string, { line: number; result: ItemResult }>();
  /** Items waiting for a slot, per lane index. */
  private readonly waitingForSlot: number[];
  private images = 0;
  /** Items whose submit may have created a task nobody could identify (possible double charge). */
  private readonly possibleDuplicates = new Set<string>();
  private readonly submitLocks = new Map<number, Promise<void>>();
  /** Lanes whose key the service refused (401/403/arrears), with the reason. */
  private readonly refusedKeys = new Map<number, ClientErrorFacts>();

  constructor(
    private readonly settings: EngineSettings,
    private readonly emit: (e: BatchEvent) => void,
  ) {
    this.stateDir = path.join(settings.out, '.backdrop');
    this.lanes = settings.lanes.map((l, i) => {
      const lane = new Lane(i, l.fingerprint, settings.limits);
      if (l.quietUntil) {
        lane.submits.pauseUntil(l.quietUntil);
        lane.queries.pauseUntil(l.quietUntil);
      }
      return { lane, client: l.client };
    });
    this.waitingForSlot = settings.lanes.map(() => 0);
    this.prepareGate = new Semaphore(settings.prepareConcurrency);
    this.uploadGate = new Semaphore(settings.uploadConcurrency);
    this.lookaheadGate = new Semaphore(settings.lookahead);
  }

  private get signal(): AbortSignal | undefined {
    return this.settings.signal;
  }

  /** Runs the whole source; resolves with the summary once every item is finished (or interrupted). */
  async run(source: BatchSource): Promise<BatchSummary> {
    const started = Date.now();
    mkdirSync(this.stateDir, { recursive: true });
    this.journal = Journal.open(this.stateDir);
    this.uploads = new UploadCache(this.stateDir);
    this.emit({ type: 'start', lanes: this.lanes.map((l) => l.lane.fingerprint), out: this.settings.out });
    try {
      await this.recoverInFlight();
      const running = new Set<Promise<void>>();
      const seen = new Set<string>();
      for await (const entry of source.entries()) {
        if (this.signal?.aborted) break;
        const item = entry.item;
        if (!item) {
          const p = entry.problems[0];
          const id = p?.id ?? String(entry.line);
          this.finish(entry.line, { id, status: 'failed', files: [], attempts: 0, resumed: false, error: { code: p?.code ?? 'InvalidItem', message: entry.problems.map((x) => x.message).join('; ') } });
          continue;
        }
        if (seen.has(item.id.toLowerCase())) {
          this.emit({ type: 'warning', id: item.id, code: 'duplicate_id', message: `item ${item.id} appears twice; line ${entry.line} ignored` });
          continue;
        }
        seen.add(item.id.toLowerCase());
        await this.lookaheadGate.acquire();
        let released = false;
        const release = (): void => {
          if (!released) this.lookaheadGate.release();
          released = true;
        };
        const p = this.processItem(item, entry.line, release)
          .catch((err) => this.failItem(item, entry.line, err))
          .finally(() => {
            release();
            running.delete(p);
          });
        running.add(p);
      }
      await Promise.all(running);
      await Promise.all(this.recovering.values());
    } finally {
      this.journal.close();
    }
    const all = [...this.results.values()].sort((a, b) => a.line - b.line).map((r) => r.result);
    const resultsFile = path.join(this.settings.out, 'results.jsonl');
    await writeResultsFile(resultsFile, all);
    return {
      total: all.length,
      succeeded: all.filter((r) => r.status === 'succeeded').length,
      failed: all.filter((r) => r.status === 'failed').length,
      interrupted: all.filter((r) => r.status === 'interrupted').length,
      resumed: all.filter((r) => r.resumed).length,
      images: this.images,
      possibleDuplicates: all.filter((r) => r.possibleDuplicate).length,
      wallMs: Date.now() - started,
      resultsFile,
    };
  }

  // ---------------------------------------------------------------- resume

  /**
   * Tasks the journal says are at the service (or may be): adopted into their lanes before anything new
   * is submitted, so no submit exceeds a slot and a task list read for reconciliation shows no task of
   * this run. Unsettled submits are settled here (tasks.list); polling the adopted tasks goes on in the
   * background.
   */
  private async recoverInFlight(): Promise<void> {
    const byLane = new Map<string, { lane: Lane; client: BatchClient }>(this.lanes.map((l) => [l.lane.fingerprint, l]));
    for (const id of [...this.journal.ids()]) {
      const rec = this.journal.record(id) as ItemRecord;
      const laneFp = rec.task?.lane ?? rec.unsettledSubmit?.lane;
      if (!laneFp) continue;
      const l = byLane.get(laneFp);
      if (!l) {
        this.emit({ type: 'warning', id, code: 'LaneMissing', message: `item ${id} has a task submitted with API key ${laneFp}, which this run does not use; pass that key to pick its result up` });
        continue;
      }
      if (rec.unsettledSubmit) {
        try {
          await this.reconcileUnsettled(id, l);
        } catch (err) {
          this.warnRecover(id, err);
          continue;
        }
      }
      const task = this.journal.record(id)?.task;
      if (task) {
        const t = l.lane.adopt({ taskId: task.taskId, itemId: id, submittedAt: task.submittedAt });
        this.recovering.set(id, this.watchRecovered(id, l, t).catch((err) => this.warnRecover(id, err)));
      }
    }
  }

  private warnRecover(id: string, err: unknown): void {
    const f = errorFacts(err);
    this.emit({ type: 'warning', id, code: f.code, message: `item ${id}: could not pick up its earlier task: ${f.message}` });
  }

  private async watchRecovered(id: string, l: { lane: Lane; client: BatchClient }, t: InServiceTask): Promise<void> {
    const task = await pollUntilFinal(l.lane, l.client, t, { wantsSlot: () => this.waitingForSlot[l.lane.index] > 0, ...(this.signal ? { signal: this.signal } : {}) });
    this.recordFinal(id, task);
  }

  /** A submit with no known outcome: find the task it created (journalled as this item's task) or establish there is none. */
  private async reconcileUnsettled(id: string, l: { lane: Lane; client: BatchClient }): Promise<void> {
    const rec = this.journal.record(id) as ItemRecord;
    const u = rec.unsettledSubmit;
    if (!u) return;
    await l.lane.queries.acquire(this.signal);
    const outcome = await findUnclaimedTask(l.client, this.settings.model, u.startedAt, this.claimedTaskIds());
    if (outcome.found === 'one') {
      this.journal.append({ e: 'reconciled', id, attempt: u.attempt, taskId: outcome.taskId, how: 'tasks.list: one unclaimed task in the submit window', t: Date.now() });
      this.emit({ type: 'warning', id, code: 'SubmitReconciled', message: `item ${id}: an interrupted submit did create task ${outcome.taskId}; using it (no new task)` });
      return;
    }
    this.noTaskAdopted(id, u.attempt, outcome, 'an interrupted submit');
  }

  /**
   * Journals that a submit with no known outcome adopted no task. When `tasks.list` could not rule a
   * task out, the item is marked a possible duplicate and a warning says so.
   */
  private noTaskAdopted(id: string, attempt: number, outcome: Exclude<ReconcileOutcome, { found: 'one' }>, submit: string): void {
    const how =
      outcome.found === 'none'
        ? 'tasks.list: no task in the submit window'
        : outcome.found === 'ambiguous'
          ? `tasks.list: ${outcome.taskIds.length} unclaimed tasks, cannot tell which`
          : `tasks.list unavailable: ${outcome.reason}`;
    this.journal.append({ e: 'reconciled', id, attempt, taskId: null, how, t: Date.now() });
    if (outcome.found !== 'none') {
      this.possibleDuplicates.add(id);
      this.emit({ type: 'warning', id, code: 'PossibleDuplicate', message: `item ${id}: ${submit} may have created a task that cannot be identified (${how}); submitting again — one task may be charged twice` });
    }
  }

  private claimedTaskIds(): Set<string> {
    const s = new Set<string>();
    for (const id of this.journal.ids()) for (const t of this.journal.record(id)?.taskIds ?? []) s.add(t);
    return s;
  }

  private recordFinal(id: string, task: Task): void {
    this.journal.append({
      e: 'task-final',
      id,
      taskId: task.taskId,
      status: task.taskStatus,
      results: (task.results ?? []).map((r) => r.url ?? ''),
      plain: (task.textResults?.urls ?? []).map((r) => r.url ?? ''),
      ...(task.usage !== undefined ? { usage: task.usage } : {}),
      ...(task.code ? { code: task.code } : {}),
      ...(task.message ? { message: task.message } : {}),
      t: Date.now(),
    });
  }

  // ---------------------------------------------------------------- one item

  private async processItem(item: BatchItem, line: number, releaseLookahead: () => void): Promise<void> {
    const spec = itemSpecHash(item);
    const recovering = this.recovering.get(item.id);
    if (recovering) {
      releaseLookahead();
      await recovering;
    }
    const dir = path.join(this.settings.out, item.id);
    const rec = this.journal.record(item.id);
    if (rec?.spec !== undefined && rec.spec !== spec) {
      this.emit({ type: 'warning', id: item.id, code: 'ItemChanged', message: `item ${item.id} changed since the last run; generating it anew` });
    } else if (rec) {
      if (rec.done?.status === 'succeeded' && rec.files && (await filesIntact(dir, rec.files))) {
        releaseLookahead();
        this.finish(line, { id: item.id, status: 'succeeded', taskId: rec.done.taskId, files: rec.files.map((f) => f.name), attempts: rec.attempts, resumed: true, ...usageOf(rec.final?.usage) });
        return;
      }
      if (rec.task) {
        // Still at the service and not picked up (its key is missing, or polling failed): never pay twice.
        throw new ItemFailure('TaskStillPending', `task ${rec.task.taskId} from an earlier run has not been seen finished; run again (with API key ${rec.task.lane}) to pick it up — it is not resubmitted`);
      }
      if (rec.unsettledSubmit) {
        throw new ItemFailure('SubmitUnsettled', `an earlier submit of this item (on API key ${rec.unsettledSubmit.lane}) may have created a task that could not be checked yet; run again to reconcile it — it is not resubmitted blindly`);
      }
      // ResultExpired was reported in an earlier run: this run generates the item anew (as the message said).
      const expiredBefore = rec.done?.status === 'failed' && rec.done.code === 'ResultExpired';
      try {
        if (!expiredBefore && rec.final?.status === 'SUCCEEDED') {
          releaseLookahead();
          await this.deliver(item, line, rec.final.taskId, rec.final.results, rec.final.plain, rec.final.t, undefined, {}, undefined);
          return;
        }
        if (!expiredBefore && rec.final?.status === 'UNKNOWN' && !rec.done) {
          throw new ResultExpiredError(item.id, rec.final.taskId, 'the service no longer knows the task; finished tasks are kept about 24 h');
        }
      } catch (err) {
        if (!(err instanceof ResultExpiredError) || !this.settings.regenerateExpired) throw err;
        this.emit({ type: 'warning', id: item.id, code: 'ResultExpired', message: `item ${item.id}: the results of task ${err.taskId} have expired (${err.detail}); generating it anew` });
      }
      // A final status without results (FAILED, CANCELED), an earlier failure or expired results: generate anew.
    }
    await this.generate(item, line, spec, releaseLookahead);
  }

  /** Prepare, upload, submit, poll, download, with retries of failed tasks. */
  private async generate(item: BatchItem, line: number, spec: string, releaseLookahead: () => void): Promise<void> {
    const timings: Timings = {};
    this.emit({ type: 'stage', id: item.id, stage: 'prepare' });
    const prepared = await this.prepareGate.use(() => prepareItem(item, { stateDir: this.stateDir, fit: this.settings.fit, ...(this.settings.edges ? { edges: this.settings.edges } : {}) }));
    timings.preparedAt = Date.now();
    const placed = await this.placeOnLane(item, spec, prepared.inputs, timings);
    const { l } = placed;
    let { request, reused } = placed;
    let first: { task: InServiceTask; requestId?: string } | undefined = placed;
    let refreshedUploads = false;
    let lastFailure: ItemFailure | undefined;
    for (let attemptThisRun = 0; attemptThisRun <= this.settings.retries; attemptThisRun++) {
      let t: InServiceTask;
      let submitRequestId: string | undefined;
      if (first) {
        t = first.task;
        submitRequestId = first.requestId;
        first = undefined;
      } else {
        l.lane.backlog++;
        try {
          this.emit({ type: 'stage', id: item.id, stage: 'waiting-slot' });
          const submitted = await this.submit(item, spec, request, l);
          t = submitted.task;
          submitRequestId = submitted.requestId;
        } finally {
          l.lane.backlog--;
        }
      }
      releaseLookahead();
      timings.submittedAt = t.submittedAt;
      const task = await pollUntilFinal(l.lane, l.client, t, {
        wantsSlot: () => this.waitingForSlot[l.lane.index] > 0 || l.lane.backlog > 0,
        onStatus: (s) => this.emit({ type: 'stage', id: item.id, stage: s === 'RUNNING' ? 'running' : 'queued' }),
        ...(this.signal ? { signal: this.signal } : {}),
      });
      timings.endedAt = Date.now();
      this.recordFinal(item.id, task);
      if (task.taskStatus === 'SUCCEEDED') {
        await this.deliver(item, line, task.taskId, (task.results ?? []).map((r) => r.url ?? ''), (task.textResults?.urls ?? []).map((r) => r.url ?? ''), timings.endedAt, task, timings, { request, submitRequestId });
        return;
      }
      const code = task.code ?? (task.taskStatus === 'UNKNOWN' ? 'TaskUnknown' : `Task${task.taskStatus[0]}${task.taskStatus.slice(1).toLowerCase()}`);
      lastFailure = new ItemFailure(code, `task ${task.taskId} ended ${task.taskStatus}${task.message ? `: ${task.message}` : ''}`);
      if (!refreshedUploads && task.taskStatus === 'FAILED' && reused.length > 0 && isInputDownloadTaskFailure(task.code, task.message)) {
        // The service lost inputs reused from the upload cache: upload them again and resubmit (once;
        // this attempt does not count against --retries).
        refreshedUploads = true;
        this.refreshUploads(item, l, reused, `task ${task.taskId} FAILED ${code}`);
        ({ request, reused } = await this.uploadAndBuild(item, prepared.inputs, l));
        attemptThisRun--;
        continue;
      }
      if (isPermanentTaskFailure(task.code) || task.taskStatus === 'CANCELED') break;
      if (attemptThisRun < this.settings.retries) {
        this.emit({ type: 'retry', id: item.id, attempt: attemptThisRun + 2, code, message: lastFailure.message });
      }
    }
    throw lastFailure ?? new ItemFailure('TaskFailed', 'the task failed');
  }

  /** The live lane with the least work queued (undefined when every key was refused). */
  private pickLane(): { lane: Lane; client: BatchClient } | undefined {
    let best: { lane: Lane; client: BatchClient } | undefined;
    for (const l of this.lanes) {
      if (this.refusedKeys.has(l.lane.index)) continue;
      if (!best || l.lane.backlog + l.lane.load() < best.lane.backlog + best.lane.load()) best = l;
    }
    return best;
  }

  /**
   * Uploads the item's inputs for a lane and submits it there. A key the service refuses (401, 403,
   * arrears) is retired and the item moves to another key; when none is left the item fails. When the
   * service cannot fetch inputs reused from the upload cache (a 400 submit creates no task), they are
   * forgotten and uploaded again, once.
   */
  private async placeOnLane(
    item: BatchItem,
    spec: string,
    inputs: Parameters<typeof uploadInputs>[0],
    timings: Timings,
  ): Promise<{ l: { lane: Lane; client: BatchClient }; request: BackgroundGenerationRequest; reused: UploadedInputs['reused']; task: InServiceTask; requestId?: string }> {
    let refreshedUploads = false;
    for (;;) {
      const l = this.pickLane();
      if (!l) {
        const f = [...this.refusedKeys.values()][0];
        throw new ItemFailure(f?.code ?? 'NoApiKey', `every API key was refused by the service (${f?.message ?? 'no key'}); check the keys and run again`, f);
      }
      l.lane.backlog++;
      try {
        this.emit({ type: 'stage', id: item.id, stage: 'upload' });
        const { request, reused } = await this.uploadAndBuild(item, inputs, l);
        timings.uploadedAt = Date.now();
        this.emit({ type: 'stage', id: item.id, stage: 'waiting-slot' });
        try {
          const submitted = await this.submit(item, spec, request, l, reused);
          return { l, request, reused, ...submitted };
        } catch (err) {
          if (err instanceof StaleUploads) continue;
          // `submit` has already forgotten the uploads the service could not fetch: upload again, once.
          const f = err instanceof ItemFailure ? err.facts : undefined;
          if (refreshedUploads || reused.length === 0 || !f || !isInputDownloadFailure(f)) throw err;
          refreshedUploads = true;
          continue;
        }
      } catch (err) {
        const f = err instanceof ItemFailure ? err.facts : errorFacts(err);
        if (!f || !isKeyRefused(f)) throw err;
        if (!this.refusedKeys.has(l.lane.index)) {
          this.refusedKeys.set(l.lane.index, f);
          const left = this.lanes.length - this.refusedKeys.size;
          this.emit({ type: 'warning', code: f.code, message: `API key ${l.lane.fingerprint} was refused (${f.message}); ${left > 0 ? `its items move to the other ${left} key(s)` : 'no key is left'}` });
        }
      } finally {
        l.lane.backlog--;
      }
    }
  }

  /** Uploads (or takes from the cache) the item's inputs for a lane and builds the request from the URLs. */
  private async uploadAndBuild(
    item: BatchItem,
    inputs: Parameters<typeof uploadInputs>[0],
    l: { lane: Lane; client: BatchClient },
  ): Promise<{ request: BackgroundGenerationRequest; reused: UploadedInputs['reused'] }> {
    const { urls, reused } = await this.uploadGate.use(() => uploadInputs(inputs, { fingerprint: l.lane.fingerprint, client: l.client }, this.settings.model, this.uploads));
    return { request: { ...buildRequest(item, urls), model: this.settings.model }, reused };
  }

  /**
   * The service could not fetch inputs this item reused from the upload cache: forgets them, and stops
   * trusting every upload of earlier runs on this key (they are likely gone too); warns once per key.
   */
  private refreshUploads(item: BatchItem, l: { lane: Lane }, reused: UploadedInputs['reused'], why: string): void {
    for (const r of reused) this.uploads.forget(l.lane.fingerprint, this.settings.model, r.sha256, r.url);
    if (this.uploads.distrustEarlierRuns(l.lane.fingerprint, this.settings.model)) {
      this.emit({ type: 'warning', id: item.id, code: 'UploadsRefreshed', message: `the service could not fetch an input that an earlier run uploaded (item ${item.id}: ${why}); inputs are uploaded again from now on` });
    }
  }

  /** Serialises submits per lane, so at most one submit per lane is ever in flight (and unsettled after a crash). */
  private async withSubmitLock<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    const prev = this.submitLocks.get(lane.index) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    this.submitLocks.set(lane.index, prev.then(() => mine));
    await prev;
    try {
      return await fn();
    } finally {
      done();
    }
  }

  /** Waits for the lane's slot and rate window, then submits once (journalled on both sides). */
  private async submit(
    item: BatchItem,
    spec: string,
    request: BackgroundGenerationRequest,
    l: { lane: Lane; client: BatchClient },
    /**
     * Uploads the request reuses from the cache. Once the slot is ours, StaleUploads is thrown (nothing
     * sent) when another item found meanwhile that the service lost them; a 400 input-download failure
     * forgets them before the slot is handed on, so the next item in line re-uploads rather than fail too.
     */
    reused: UploadedInputs['reused'] = [],
  ): Promise<{ task: InServiceTask; requestId?: string }> {
    const stale = () => reused.some((r) => this.uploads.get(l.lane.fingerprint, this.settings.model, r.sha256) !== r.url);
    let transient = 0;
    let throttled = 0;
    for (;;) {
      this.waitingForSlot[l.lane.index]++;
      try {
        await l.lane.reserve(this.signal);
      } finally {
        this.waitingForSlot[l.lane.index]--;
      }
      const outcome = await this.withSubmitLock(l.lane, async () => {
        // Checked under the lock: a submit just before ours that met lost uploads has forgotten them.
        if (stale()) return { stale: true } as const;
        await l.lane.submits.acquire(this.signal);
        const attempt = (this.journal.record(item.id)?.attempts ?? 0) + 1;
        const startedAt = Date.now();
        this.journal.append({ e: 'submit-started', id: item.id, attempt, lane: l.lane.fingerprint, spec, t: startedAt });
        this.emit({ type: 'stage', id: item.id, stage: 'submit' });
        try {
          const othersInService = l.lane.load() - 1;
          const res = await l.client.backgroundGeneration.submit(request, this.signal ? { signal: this.signal } : undefined);
          this.journal.append({ e: 'submit-done', id: item.id, attempt, taskId: res.taskId, requestId: res.requestId, t: Date.now() });
          if (othersInService > 0) l.lane.learnQueues();
          const task = l.lane.commit({ taskId: res.taskId, itemId: item.id, submittedAt: Date.now() }, res.taskStatus);
          this.emit({ type: 'submitted', id: item.id, taskId: res.taskId, lane: l.lane.fingerprint, attempt });
          return { task, requestId: res.requestId } as const;
        } catch (err) {
          const f = errorFacts(err);
          this.journal.append({ e: 'submit-failed', id: item.id, attempt, code: f.code, message: f.message, mayHaveCreatedTask: f.mayHaveCreatedTask, t: Date.now() });
          if (!f.mayHaveCreatedTask) {
            if (reused.length > 0 && isInputDownloadFailure(f)) this.refreshUploads(item, l, reused, `HTTP 400 ${f.code}${f.requestId ? `, request id ${f.requestId}` : ''}`);
            return { error: f, attempt, startedAt } as const;
          }
          // The service may have created the task. Find it before anything else is submitted on this
          // lane (still holding the submit lock, so ours is the only unclaimed task in the window).
          const adopted = await this.reconcileLive(item, l, attempt, startedAt);
          return adopted ? ({ task: adopted } as const) : ({ error: f, attempt, startedAt, reconciled: true } as const);
        }
      });
      if ('stale' in outcome) {
        l.lane.unreserve();
        throw new StaleUploads();
      }
      if (outcome.task) return { task: outcome.task, requestId: outcome.requestId };
      const f = outcome.error;
      if (isSlotBusy(f)) {
        l.lane.unreserve();
        l.lane.learnRefuses();
        // Something else holds the slot (another tool on this account): wait a little before asking again.
        if (l.lane.load() === 0) await sleep(Math.min(5000, 500 * 2 ** Math.min(throttled++, 3)), undefined, this.signal ? { signal: this.signal } : undefined);
        continue;
      }
      if (isRateLimited(f)) {
        l.lane.unreserve();
        l.lane.submits.pauseUntil(Date.now() + (f.retryAfterMs ?? 1000 * 2 ** Math.min(throttled++, 4)));
        continue;
      }
      if ('reconciled' in outcome) {
        l.lane.unreserve();
        if (transient++ < this.settings.retries + 2) continue;
        throw new ItemFailure(f.code, `submit failed: ${f.message}`);
      }
      l.lane.unreserve();
      if ((f.retryable || (f.status !== undefined && f.status >= 500)) && transient++ < this.settings.retries + 2) {
        this.emit({ type: 'retry', id: item.id, attempt: outcome.attempt + 1, code: f.code, message: `submit failed (${f.message}); retrying` });
        await sleep(500 * 2 ** Math.min(transient, 4), undefined, this.signal ? { signal: this.signal } : undefined);
        continue;
      }
      throw new ItemFailure(f.code, `submit failed: ${f.message}`, f);
    }
  }

  /**
   * After a submit failed in a way that may have created a task: waits a moment, then looks for it with
   * `tasks.list`. Returns the adopted task, or undefined when none was created (or it cannot be told,
   * which is journalled and reported as a possible duplicate).
   */
  private async reconcileLive(item: BatchItem, l: { lane: Lane; client: BatchClient }, attempt: number, startedAt: number): Promise<InServiceTask | undefined> {
    await sleep(1000, undefined, this.signal ? { signal: this.signal } : undefined);
    await l.lane.queries.acquire(this.signal);
    const found = await findUnclaimedTask(l.client, this.settings.model, startedAt, this.claimedTaskIds());
    if (found.found === 'one') {
      this.journal.append({ e: 'reconciled', id: item.id, attempt, taskId: found.taskId, how: 'tasks.list after an ambiguous submit failure', t: Date.now() });
      const task = l.lane.commit({ taskId: found.taskId, itemId: item.id, submittedAt: startedAt }, 'PENDING');
      this.emit({ type: 'submitted', id: item.id, taskId: found.taskId, lane: l.lane.fingerprint, attempt });
      return task;
    }
    this.noTaskAdopted(item.id, attempt, found, 'a failed submit');
    return undefined;
  }

  /** Downloads a succeeded task's images and writes `task.json`; ResultExpired when too old. */
  private async deliver(
    item: BatchItem,
    line: number,
    taskId: string,
    results: string[],
    plain: string[],
    endedAt: number,
    task: Task | undefined,
    timings: Timings,
    submit: { request: BackgroundGenerationRequest; submitRequestId: string | undefined } | undefined,
  ): Promise<void> {
    const dir = path.join(this.settings.out, item.id);
    const rec = this.journal.record(item.id);
    if (Date.now() - endedAt > RESULT_LIFETIME_MS - 60_000) {
      throw new ResultExpiredError(item.id, taskId, `the task ended ${new Date(endedAt).toISOString()}, result URLs live 24 h`);
    }
    this.emit({ type: 'stage', id: item.id, stage: 'download' });
    let files: JournalFile[];
    try {
      files = await downloadFiles(dir, downloadPlan(results, plain), this.signal ? { signal: this.signal } : {});
    } catch (err) {
      if (err instanceof DownloadError && (err.httpStatus === 403 || err.httpStatus === 404) && !task) {
        throw new ResultExpiredError(item.id, taskId, `the result URL answers HTTP ${err.httpStatus}`);
      }
      throw err;
    }
    timings.downloadedAt = Date.now();
    this.journal.append({ e: 'download-done', id: item.id, taskId, files, t: Date.now() });
    await writeTaskRecord(dir, {
      id: item.id,
      taskId,
      ...(submit ? { request: toWireRequest(submit.request), requestIds: { submit: submit.submitRequestId, query: task?.requestId } } : {}),
      ...(task ? { response: task.raw, usage: task.usage } : {}),
      attempts: rec?.attempts ?? 1,
      timings: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, new Date(v as number).toISOString()])),
      files,
    });
    this.journal.append({ e: 'item-done', id: item.id, status: 'succeeded', taskId, t: Date.now() });
    this.images += results.length;
    this.finish(line, {
      id: item.id,
      status: 'succeeded',
      taskId,
      files: files.map((f) => f.name),
      attempts: rec?.attempts ?? 1,
      resumed: false,
      ...(this.possibleDuplicates.has(item.id) ? { possibleDuplicate: true } : {}),
      ...usageOf(task ? task.usage : rec?.final?.usage),
    });
  }

  private failItem(item: BatchItem, line: number, err: unknown): void {
    const rec = this.journal.record(item.id);
    if (this.signal?.aborted) {
      const inFlight = rec?.task?.taskId;
      this.finish(line, {
        id: item.id,
        status: 'interrupted',
        ...(inFlight ? { taskId: inFlight } : {}),
        files: [],
        attempts: rec?.attempts ?? 0,
        resumed: false,
        error: { code: 'Interrupted', message: `the run was stopped${inFlight ? ` while task ${inFlight} was at the service` : ''}; run the same command again to resume` },
      });
      return;
    }
    const f = err instanceof ItemFailure ? { code: err.code, message: err.message } : errorFacts(err);
    const taskId = rec?.final?.taskId ?? rec?.task?.taskId;
    this.journal.append({ e: 'item-done', id: item.id, status: 'failed', ...(taskId ? { taskId } : {}), code: f.code, message: f.message, t: Date.now() });
    this.finish(line, {
      id: item.id,
      status: 'failed',
      ...(taskId ? { taskId } : {}),
      files: [],
      attempts: rec?.attempts ?? 0,
      resumed: false,
      error: { code: f.code, message: f.message },
      ...(this.possibleDuplicates.has(item.id) ? { possibleDuplicate: true } : {}),
    });
  }

  private finish(line: number, result: ItemResult): void {
    this.results.set(result.id, { line, result });
    this.emit({ type: 'item-done', result });
  }
}

