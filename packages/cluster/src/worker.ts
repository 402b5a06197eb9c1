import { UnrecoverableError, Queue, WaitingError, Worker, type Job } from 'bullmq';
import { ItemFailedError } from './cluster-errors.js';
import { HandBack, ItemGeneration, type WorkerEvent } from './generate-item.js';
import { ItemRecords } from './item-records.js';
import type { GenerateJobData, PrepareJobData } from './job-data.js';
import { keyLanes, type KeyClientOptions, type KeyLane } from './key-clients.js';
import { LocalOutputStore, type OutputStore } from './output-store.js';
import { queueNames } from './queue-names.js';
import { checkRedisReachable, openRedis } from './redis-connection.js';
import { SharedLimits, type SharedLimitSettings } from './shared-limits.js';
import { openHedEdgeMaker, prepareItem, resultLine, type EdgeMaker, type HedEdgeMaker, type UploadUrlCache } from './stages-bridge.js';

export type { WorkerEvent } from './generate-item.js';

/** Options of {@link startWorker}. */
export interface WorkerOptions extends KeyClientOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Queue name (default `backdrop`). */
  queue?: string;
  /** API keys this worker submits with (default `DASHSCOPE_API_KEYS` / `DASHSCOPE_API_KEY`). Workers with the same keys share their limits. */
  apiKeys?: string[];
  /** HED checkpoint for cut-out elements (default: `@backdrop/edge`'s lookup: BACKDROP_HED_WEIGHTS, cache, download). */
  weights?: string;
  /** HED worker threads (default 1). */
  hedWorkers?: number;
  /** A ready edge maker instead of `weights`/`hedWorkers`. */
  edges?: EdgeMaker;
  /** Items prepared at once (default 1). */
  prepareConcurrency?: number;
  /** Items in the generate stage at once (default 3 per key: slot, queue-ahead and one uploading). */
  generateConcurrency?: number;
  /** Shared limits (defaults: 2 submits/s, 1 running + 1 queued, 20 queries/s, 100 ms margin). */
  limits?: Partial<SharedLimitSettings>;
  /** BullMQ job lock: a dead worker's jobs go to others after about this long (default 30 000 ms). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (default: the lock duration). */
  stalledIntervalMs?: number;
  /** Milliseconds between task queries (default 250). */
  pollIntervalMs?: number;
  /** Where results go, for an item's `out` (default: that local folder). */
  outputStore?: (out: string) => OutputStore;
  /** What the worker does, item by item. */
  onEvent?: (e: WorkerEvent) => void;
}

/** A running worker. */
export interface ClusterWorker {
  /** Fingerprints of the keys it holds. */
  readonly lanes: string[];
  /**
   * Graceful stop: takes no new work, hands items not yet submitted back to the queue, finishes those at
   * the service (poll and download), then closes. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Uploads this worker has made, per key, model and content (kept while they have 2 h left of their 48 h). */
function memoryUploadCache(): UploadUrlCache {
  const map = new Map<string, { url: string; expiresAt: number }>();
  return {
    get: (lane, model, sha256, now = Date.now()) => {
      const r = map.get(`${lane}\0${model}\0${sha256}`);
      return r && r.expiresAt - 2 * 3600_000 > now ? r.url : undefined;
    },
    put: (lane, model, sha256, url, expiresAt) => void map.set(`${lane}\0${model}\0${sha256}`, { url, expiresAt }),
  };
}

/**
 * Starts a worker: it takes `prepare` jobs (HED, input checks — any worker) and `generate` jobs (upload
 * under the key that submits, submit within the limits every worker shares in Redis, poll, download) until
 * `stop()`. A worker that dies leaves its jobs to the others (BullMQ's stalled-job recovery); the next
 * owner picks up the task or reconciles the submit recorded in Redis.
 */
export async function startWorker(options: WorkerOptions): Promise<ClusterWorker> {
  const apiKeys = options.apiKeys ?? (process.env.DASHSCOPE_API_KEYS ?? process.env.DASHSCOPE_API_KEY ?? '').split(',');
  const lanes: KeyLane[] = keyLanes(apiKeys, options);
  const names = queueNames(options.queue);
  await checkRedisReachable(options.redis);
  const redis = openRedis(options.redis);
  const records = new ItemRecords(redis, names);
  const limits = new SharedLimits(redis, names, options.limits);
  const emit = options.onEvent ?? (() => {});
  const stopping = new AbortController();
  const stores = new Map<string, OutputStore>();
  const store = (out: string): OutputStore => {
    let s = stores.get(out);
    if (!s) stores.set(out, (s = options.outputStore ? options.outputStore(out) : new LocalOutputStore(out)));
    return s;
  };
  let hed: Promise<HedEdgeMaker> | undefined;
  const edges = async (): Promise<EdgeMaker> => {
    if (options.edges) return options.edges;
    hed ??= openHedEdgeMaker({ ...(options.weights ? { weights: options.weights } : {}), workers: options.hedWorkers ?? 1 });
    return hed;
  };
  for (const l of lanes) await records.laneSeen(l.fingerprint);

  const uploads = memoryUploadCache();
  const generateQueue = new Queue<GenerateJobData>(names.generate, { connection: redis, prefix: names.prefix });
  const lockDuration = options.lockDurationMs ?? 30_000;
  const common = {
    prefix: names.prefix,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? lockDuration,
    maxStalledCount: 5,
  };

  /** Records a failure for good (stage, reason, results line) and makes BullMQ stop retrying the job. */
  const failForGood = async (job: Job<PrepareJobData>, code: string, message: string): Promise<never> => {
    const item = job.data.item;
    const rec = await records.get(job.id!);
    await records.failed(job.id!, item.id, code, message);
    await store(job.data.out).appendResult(
      resultLine({
        id: item.id,
        status: 'failed',
        ...(rec.task ? { taskId: rec.task.taskId } : {}),
        files: [],
        error: { code, message },
        attempts: rec.attempts,
        resumed: false,
        ...(rec.possibleDuplicate ? { possibleDuplicate: true } : {}),
      }),
    );
    emit({ type: 'failed', id: item.id, code, message });
    throw new UnrecoverableError(`[${code}] ${message}`);
  };
  const finalStage = async (jobId: string): Promise<boolean> => {
    const stage = await redis.hget(names.key('stages'), jobId);
    return stage === 'done' || stage === 'failed';
  };

  const prepareConnection = openRedis(options.redis);
  const generateConnection = openRedis(options.redis);
  const prepareWorker = new Worker<PrepareJobData>(
    names.prepare,
    async (job) => {
      const jobId = job.id!;
      if (await finalStage(jobId)) return;
      await records.setStage(jobId, 'preparing');
      const item = job.data.item;
      const needsHed = [...(item.foreground ?? []), ...(item.background ?? [])].some((e) => 'cutout' in e);
      let prepared;
      try {
        prepared = await prepareItem(item, { stateDir: store(job.data.out).stateDir, fit: job.data.fit, ...(needsHed ? { edges: await edges() } : {}) });
      } catch (err) {
        const e = err as { code?: string; message?: string; userError?: boolean };
        if (e.userError) return failForGood(job, e.code ?? 'InvalidItemInput', e.message ?? String(err));
        throw err;
      }
      await records.setStage(jobId, 'prepared');
      await generateQueue.add(
        'generate',
        { ...job.data, inputs: prepared.inputs },
        { jobId, attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: false },
      );
    },
    { ...common, connection: prepareConnection, concurrency: options.prepareConcurrency ?? 1 },
  );

  const generateWorker = new Worker<GenerateJobData>(
    names.generate,
    async (job, token) => {
      const jobId = job.id!;
      if (await finalStage(jobId)) return;
      try {
        await new ItemGeneration({ lanes, limits, records, uploads, store, stopping: stopping.signal, pollIntervalMs: options.pollIntervalMs ?? 250, emit }, jobId, job.data).run();
      } catch (err) {
        if (err instanceof HandBack) {
          await records.setStage(jobId, 'prepared');
          await job.moveToWait(token);
          emit({ type: 'handed-back', id: job.data.item.id });
          throw new WaitingError();
        }
        if (err instanceof ItemFailedError) return failForGood(job, err.code, err.message);
        throw err;
      }
    },
    { ...common, connection: generateConnection, concurrency: options.generateConcurrency ?? 3 * lanes.length },
  );
  for (const w of [prepareWorker, generateWorker] as Worker[]) {
    w.on('failed', (job, err) => {
      if (!job || err.name === 'UnrecoverableError' || err instanceof WaitingError) return;
      if (job.attemptsMade < (job.opts.attempts ?? 1)) {
        emit({ type: 'warning', id: (job.data as PrepareJobData).item.id, code: 'Retry', message: `${err.message}; the job is retried` });
        return;
      }
      const e = err as { code?: string };
      void failForGood(job as Job<PrepareJobData>, typeof e.code === 'string' ? e.code : 'Error', err.message).catch(() => {});
    });
    w.on('error', (err) => emit({ type: 'warning', code: 'WorkerError', message: err.message }));
  }
  await Promise.all([prepareWorker.waitUntilReady(), generateWorker.waitUntilReady()]);

  let stopped: Promise<void> | undefined;
  return {
    lanes: lanes.map((l) => l.fingerprint),
    stop: () =>
      (stopped ??= (async () => {
        stopping.abort();
        await Promise.all([prepareWorker.close(), generateWorker.close()]);
        await generateQueue.close();
        if (hed) await (await hed).close();
        for (const c of [redis, prepareConnection, generateConnection]) c.disconnect();
      })()),
  };
}
