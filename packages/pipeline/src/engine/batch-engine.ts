import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import PQueue from 'p-queue';
import { isInputDownloadTaskFailure, isPermanentTaskFailure } from '../batch-client.js';
import { sha256Hex } from '../cache/content-hash.js';
import { UploadCache } from '../cache/upload-cache.js';
import { systemClock, type Clock } from '../clock/clock.js';
import { ResultExpiredError } from '../errors.js';
import { itemSpecHash, type BatchItem } from '../item.js';
import { Journal } from '../journal/journal.js';
import type { BatchSource } from '../manifest/batch-source.js';
import { ResultsLog, writeResultsFile } from '../output/results-file.js';
import { recoverInFlight } from '../recovery/recover-in-flight.js';
import { pollUntilFinal } from '../stages/poll.js';
import { prepareItem, type EdgeMaker, type PreparedItem } from '../stages/prepare.js';
import { Lane, type InServiceTask } from '../throttle/lane.js';
import type { BatchEvent, BatchSummary } from './batch-events.js';
import { ItemFailure, type EngineContext, type EngineSettings, type LaneHandle, type Timings } from './engine-context.js';
import { deliver, failItem, journalFinal } from './item-lifecycle.js';
import { ItemResults } from './item-results.js';
import { forgetEarlierService } from './fresh-service.js';
import { finishedEarlier, notReached } from './not-reached.js';
import { needsHed, readAhead } from './read-ahead.js';
import { forgetLostUploads } from './lost-uploads.js';
import { placeOnLane, submitUntilAccepted, uploadAndBuild } from './lane-scheduler.js';

export type { EngineLane, EngineSettings } from './engine-context.js';

/** Takes one of a queue's places until the returned function is called (held across an item's stages). */
function takePlace(queue: PQueue): Promise<() => void> {
  return new Promise((granted) => {
    void queue.add(() => new Promise<void>((release) => granted(release)));
  });
}

/**
 * The batch engine: streams items through prepare → upload → submit → poll → download with a bounded
 * look-ahead, keeps every lane's task slot busy within its limits, journals every side effect, and
 * resumes from the journal. Its parts: `lane-scheduler` (placing and submitting), `stages/submit`
 * (one submit and its outcome), `recovery/` (adopting and reconciling tasks of earlier runs),
 * `item-lifecycle` (delivery and failure).
 */
export class BatchEngine {
  private readonly lanes: LaneHandle[];
  private readonly clock: Clock;
  private readonly stateDir: string;

  constructor(
    private readonly settings: EngineSettings,
    private readonly emit: (e: BatchEvent) => void,
  ) {
    this.clock = settings.clock ?? systemClock;
    this.stateDir = path.join(settings.out, '.backdrop');
    this.lanes = settings.lanes.map((l, i) => {
      const lane = new Lane(i, l.fingerprint, settings.limits, this.clock);
      if (l.quietUntil) {
        lane.submits.pauseUntil(l.quietUntil);
        lane.queries.pauseUntil(l.quietUntil);
      }
      return { lane, client: l.client, waitingForSlot: 0, submitTail: Promise.resolve() };
    });
  }

  /** Runs the whole source; resolves with the summary once every item is finished (or interrupted). */
  async run(source: BatchSource): Promise<BatchSummary> {
    const started = this.clock.now();
    mkdirSync(this.stateDir, { recursive: true });
    const journalFile = path.join(this.stateDir, 'journal.jsonl');
    if (this.settings.fresh && existsSync(journalFile)) renameSync(journalFile, path.join(this.stateDir, 'journal.previous.jsonl'));
    // One flat item's folder holds only its own files: its results.jsonl lives with the journal.
    const resultsFile = path.join(this.settings.layout === 'flat' ? this.stateDir : this.settings.out, 'results.jsonl');
    const log = new ResultsLog(resultsFile);
    await log.start();
    const ctx: EngineContext = {
      settings: this.settings,
      clock: this.clock,
      stateDir: this.stateDir,
      journal: Journal.open(this.stateDir),
      uploads: new UploadCache(this.stateDir),
      emit: this.emit,
      signal: this.settings.signal,
      lanes: this.lanes,
      possibleDuplicates: new Set(),
      refusedKeys: new Map(),
      results: new ItemResults(this.emit, log),
      forgotten: new Set(),
      prepareQueue: new PQueue({ concurrency: this.settings.prepareConcurrency }),
      uploadQueue: new PQueue({ concurrency: this.settings.uploadConcurrency }),
      notes: new Map(),
    };
    this.ahead.clear();
    const lookahead = new PQueue({ concurrency: this.settings.lookahead });
    this.emit({ type: 'start', lanes: this.lanes.map((l) => l.lane.fingerprint), out: this.settings.out });
    let recovering = new Map<string, Promise<void>>();
    try {
      if (this.settings.serviceForgetsBetweenRuns) forgetEarlierService(ctx);
      else recovering = await recoverInFlight(ctx);
      const running = new Set<Promise<void>>();
      const seen = new Set<string>();
      const depth = this.settings.prepareAhead ?? 4 * this.settings.lookahead;
      for await (const entry of readAhead(source.entries(), depth, (e) => this.prepareAhead(ctx, e.item))) {
        const item = entry.item;
        if (!item) {
          const p = entry.problems[0];
          const id = p?.id ?? String(entry.line);
          ctx.results.finish(entry.line, {
            id,
            status: 'failed',
            files: [],
            attempts: 0,
            resumed: false,
            error: { code: p?.code ?? 'InvalidItem', message: entry.problems.map((x) => x.message).join('; ') },
          });
          continue;
        }
        if (seen.has(item.id.toLowerCase())) {
          this.emit({ type: 'warning', id: item.id, code: 'duplicate_id', message: `item ${item.id} appears twice; line ${entry.line} ignored` });
          continue;
        }
        seen.add(item.id.toLowerCase());
        // Stopped: the items not reached are still items of the input — each is reported (and counted) once.
        if (ctx.signal?.aborted) {
          await notReached(ctx, item, entry.line);
          continue;
        }
        const release = await takePlace(lookahead);
        const p = this.processItem(ctx, item, entry.line, release, recovering.get(item.id))
          .catch((err) => failItem(ctx, item, entry.line, err))
          .finally(() => {
            release();
            running.delete(p);
          });
        running.add(p);
      }
      await Promise.all(running);
      await Promise.all(recovering.values());
    } finally {
      ctx.journal.close();
      log.close();
    }
    await writeResultsFile(resultsFile, ctx.results.all());
    return ctx.results.summary(this.clock.now() - started, resultsFile);
  }

  /** Preparations (HED) started ahead of the look-ahead window, by item id. */
  private readonly ahead = new Map<string, Promise<PreparedItem>>();

  /**
   * Starts HED for an item that needs it as soon as it is read, so that HED runs ahead of the task
   * slot (one HED at a time by default) while the items before it go through upload and submit.
   */
  private prepareAhead(ctx: EngineContext, item: BatchItem | undefined): void {
    if (!item || !needsHed(item) || ctx.signal?.aborted || this.ahead.has(item.id)) return;
    if (ctx.journal.record(item.id)?.done?.status === 'succeeded') return;
    const p = this.prepare(ctx, item);
    p.catch(() => {}); // awaited (and reported) when the item's turn comes
    this.ahead.set(item.id, p);
  }

  /** HED jobs running or queued, by content hash of the cut-out: items sharing a cut-out share one job. */
  private readonly hedJobs = new Map<string, Promise<Buffer>>();

  /**
   * The item's inputs made ready: HED (through the HED queue) only for cut-outs; the rest at once. A
   * cut-out already in HED for another item is not run again: the job is shared until the item that
   * started it has its edge element cached on disk (where later items find it).
   */
  private prepare(ctx: EngineContext, item: BatchItem): Promise<PreparedItem> {
    const edges = this.settings.edges;
    const started: string[] = [];
    const queued: EdgeMaker | undefined = edges && {
      cacheKey: edges.cacheKey,
      edgeElement: (input) => {
        const key = sha256Hex(input);
        let job = this.hedJobs.get(key);
        if (!job) {
          // A stopped run starts no more HED (what is queued settles at once, with the stop's reason).
          job = ctx.prepareQueue.add(() => {
            if (ctx.signal?.aborted) throw ctx.signal.reason;
            return edges.edgeElement(input);
          });
          this.hedJobs.set(key, job);
          started.push(key);
        }
        return job;
      },
    };
    return prepareItem(item, { stateDir: this.stateDir, fit: this.settings.fit, ...(queued ? { edges: queued } : {}) }).finally(() => {
      for (const key of started) this.hedJobs.delete(key);
    });
  }

  // ---------------------------------------------------------------- one item

  private async processItem(ctx: EngineContext, item: BatchItem, line: number, releaseLookahead: () => void, recovering: Promise<void> | undefined): Promise<void> {
    const spec = itemSpecHash(item);
    if (recovering) {
      releaseLookahead();
      await recovering;
    }
    if (ctx.forgotten.has(item.id)) {
      // Its task was at a service that is gone (said once at the start): generated anew, no warning.
      await this.generate(ctx, item, line, spec, releaseLookahead);
      return;
    }
    const rec = ctx.journal.record(item.id);
    if (rec?.spec !== undefined && rec.spec !== spec) {
      this.emit({ type: 'warning', id: item.id, code: 'ItemChanged', message: `item ${item.id} changed since the last run; generating it anew` });
    } else if (rec) {
      if (await finishedEarlier(ctx, item, line)) {
        releaseLookahead();
        return;
      }
      if (rec.task) {
        // Still at the service and not picked up (its key is missing, or polling failed): never pay twice.
        throw new ItemFailure(
          'TaskStillPending',
          `task ${rec.task.taskId} from an earlier run has not been seen finished; run again (with API key ${rec.task.lane}) to pick it up — it is not resubmitted`,
        );
      }
      if (rec.unsettledSubmit) {
        throw new ItemFailure(
          'SubmitUnsettled',
          `an earlier submit of this item (on API key ${rec.unsettledSubmit.lane}) may have created a task that could not be checked yet; run again to reconcile it — it is not resubmitted blindly`,
        );
      }
      // ResultExpired was reported in an earlier run: this run generates the item anew (as the message said).
      const expiredBefore = rec.done?.status === 'failed' && rec.done.code === 'ResultExpired';
      try {
        if (!expiredBefore && rec.final?.status === 'SUCCEEDED') {
          releaseLookahead();
          await deliver(ctx, item, line, { taskId: rec.final.taskId, results: rec.final.results, plain: rec.final.plain, endedAt: rec.final.t }, {});
          return;
        }
        if (!expiredBefore && rec.final?.status === 'UNKNOWN' && !rec.done) {
          throw new ResultExpiredError(item.id, rec.final.taskId, 'the service no longer knows the task; finished tasks are kept about 24 h');
        }
      } catch (err) {
        if (!(err instanceof ResultExpiredError) || !this.settings.regenerateExpired) throw err;
        this.emit({
          type: 'warning',
          id: item.id,
          code: 'ResultExpired',
          message: `item ${item.id}: the results of task ${err.taskId} have expired (${err.detail}); generating it anew`,
        });
      }
      // A final status without results (FAILED, CANCELED), an earlier failure or expired results: generate anew.
    }
    await this.generate(ctx, item, line, spec, releaseLookahead);
  }

  /** Prepare, upload, submit, poll, download, with retries of failed tasks. */
  private async generate(ctx: EngineContext, item: BatchItem, line: number, spec: string, releaseLookahead: () => void): Promise<void> {
    const timings: Timings = {};
    this.emit({ type: 'stage', id: item.id, stage: 'prepare' });
    const early = this.ahead.get(item.id);
    this.ahead.delete(item.id);
    const prepared = await (early ?? this.prepare(ctx, item));
    timings.preparedAt = this.clock.now();
    const placed = await placeOnLane(ctx, item, spec, prepared.inputs, timings);
    const { l } = placed;
    let { request, reused, uploads } = placed;
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
          const submitted = await submitUntilAccepted(ctx, item, spec, request, l);
          t = submitted.task;
          submitRequestId = submitted.requestId;
        } finally {
          l.lane.backlog--;
        }
      }
      releaseLookahead();
      timings.submittedAt = t.submittedAt;
      timings.submitStartedAt = ctx.journal.record(item.id)?.task?.submittedAt ?? t.submittedAt;
      const task = await pollUntilFinal(l.lane, l.client, t, {
        wantsSlot: () => l.waitingForSlot > 0 || l.lane.backlog > 0,
        // As the service reports it: PENDING (queued there) or RUNNING; a final status is followed by `download` or the item's end.
        onStatus: (s) => {
          this.emit({ type: 'task-status', id: item.id, taskId: t.taskId, status: s });
          if (s === 'RUNNING' || s === 'PENDING') this.emit({ type: 'stage', id: item.id, stage: s === 'RUNNING' ? 'running' : 'queued' });
        },
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      timings.endedAt = this.clock.now();
      journalFinal(ctx, item.id, task);
      this.emit({ type: 'task-final', id: item.id, task });
      if (task.taskStatus === 'SUCCEEDED') {
        const results = (task.results ?? []).map((r) => r.url ?? '');
        const plain = (task.textResults?.urls ?? []).map((r) => r.url ?? '');
        await deliver(
          ctx,
          item,
          line,
          { taskId: task.taskId, results, plain, endedAt: timings.endedAt, task, submit: { request, submitRequestId }, uploads, account: l.lane.fingerprint },
          timings,
        );
        return;
      }
      const code = task.code ?? (task.taskStatus === 'UNKNOWN' ? 'TaskUnknown' : `Task${task.taskStatus[0]}${task.taskStatus.slice(1).toLowerCase()}`);
      lastFailure = new ItemFailure(code, `task ${task.taskId} ended ${task.taskStatus}${task.message ? `: ${task.message}` : ''}`);
      if (!refreshedUploads && task.taskStatus === 'FAILED' && reused.length > 0 && isInputDownloadTaskFailure(task.code, task.message)) {
        // The service lost inputs reused from the upload cache: upload them again and resubmit (once;
        // this attempt does not count against --retries).
        refreshedUploads = true;
        forgetLostUploads(ctx, item, l.lane.fingerprint, reused, `task ${task.taskId} FAILED ${code}`);
        ({ request, reused, uploads } = await uploadAndBuild(ctx, item, prepared.inputs, l));
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
}
