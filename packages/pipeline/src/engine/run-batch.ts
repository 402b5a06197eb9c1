import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { readApiKeysFromEnv, BACKGROUND_GENERATION_MODEL } from '@backdrop/api';
import { openKeyClients } from '../key-clients.js';
import type { BatchClient } from '../batch-client.js';
import { BatchConfigError } from '../errors.js';
import type { BatchItem } from '../item.js';
import { itemsSource, type BatchSource } from '../manifest/batch-source.js';
import type { EdgeMaker } from '../stages/prepare.js';
import { acquireKeyLock, type KeyLock } from '../throttle/key-lock.js';
import { acquireOutputLock } from '../journal/out-lock.js';
import { BatchEngine, type EngineLane } from './batch-engine.js';
import type { BatchEvent } from './batch-events.js';
import { EventChannel } from './event-channel.js';

/** Options of {@link runBatch}. Only `out` and a key (or `clients`) are required. */
export interface BatchOptions {
  /** Output folder: `<out>/<id>/…`, `<out>/results.jsonl`, state and journal in `<out>/.backdrop/`. */
  out: string;
  /** API keys; each is an independent lane (its own limits). Default `DASHSCOPE_API_KEYS` / `DASHSCOPE_API_KEY`. */
  apiKeys?: string[];
  /** API base URL (default the client's: `DASHSCOPE_HTTP_BASE_URL` or the public endpoint). */
  baseUrl?: string;
  /** Workspace id (`X-DashScope-WorkSpace`). */
  workspace?: string;
  /** Per-call timeout of API requests, ms. */
  requestTimeoutMs?: number;
  /** Ready clients instead of `apiKeys` (one lane each); `fingerprint` names the lane in journals and locks. */
  clients?: { fingerprint: string; client: BatchClient }[];
  /** Model name (default `wanx-background-generation-v2`). */
  model?: string;
  /** Submits per sliding second per key (default 2). */
  maxQps?: number;
  /** Running tasks per key (default 1). */
  maxRunning?: number;
  /** Task queries per sliding second per key (default 20; the engine keeps a little under it). */
  maxQueriesPerSecond?: number;
  /** Milliseconds added to each one-second window against network jitter (default 100). */
  safetyMarginMs?: number;
  /** Tasks submitted ahead of the running one while the service queues them (default 1). */
  queueAhead?: number;
  /** Extra attempts for a FAILED task (default 2). Content moderation and invalid parameters are not retried. */
  retries?: number;
  /** Items prepared and uploaded ahead of the task slot (default 3 per key, at least 4). */
  lookahead?: number;
  /** HED runs at once (default: the edge maker's `concurrency`, e.g. its worker threads; else 1). */
  prepareConcurrency?: number;
  /** Uploads at once (default 4). */
  uploadConcurrency?: number;
  /** Downscale bases over 2048 px instead of failing them. */
  fit?: boolean;
  /**
   * When resuming, generate anew (a new, paid task) an item whose earlier task or results the service
   * no longer has, instead of reporting it `ResultExpired` (default false). Set it for a service that
   * keeps nothing between runs, such as an emulator started for this run.
   */
  regenerateExpired?: boolean;
  /**
   * The service keeps nothing between runs (an emulator started for this run): on resume, the tasks
   * and uploads of earlier runs are not looked for; their unfinished items are generated anew, said
   * once in a `note` event, and those earlier submits are not counted as attempts (default false).
   */
  serviceForgetsBetweenRuns?: boolean;
  /** Items read ahead of the look-ahead window so their HED starts early (default 4 × lookahead). */
  prepareAhead?: number;
  /** Makes edge elements from `cutout` elements (an `@backdrop/edge` HED pool). Required when items have cut-outs. */
  edges?: EdgeMaker;
  /**
   * Locks: the output folder's (`<out>/.backdrop/run.lock`) and per-key submit locks; wait for another process
   * instead of failing (default false), key lock folder. `false` disables locking.
   */
  lock?: { wait?: boolean; dir?: string } | false;
  /**
   * `flat`: a one-item run whose files go directly into `out` (not `<out>/<id>/`); `results.jsonl` then
   * lives with the journal in `<out>/.backdrop/` (default `per-item`).
   */
  layout?: 'per-item' | 'flat';
  /** `tool` named in each `task.json` (default `@backdrop/pipeline batch`). */
  tool?: string;
  /**
   * When a submit's reply was lost and the task list cannot tell which task it created: submit again
   * (default true; reported as a possible duplicate charge), or fail the item with `SubmitUnknown`
   * naming the candidate tasks — never paying twice.
   */
  resubmitUnidentified?: boolean;
  /** Start from an empty journal (the earlier one is kept as `.backdrop/journal.previous.jsonl`): resume nothing (default false). */
  fresh?: boolean;
  /** Stops the run: nothing new is submitted, unfinished items are reported `interrupted` (resume later). */
  signal?: AbortSignal;
}

/**
 * Runs a batch: every item through HED (for cut-outs), upload, submit, poll and download, within each
 * key's limits, journalled in `<out>/.backdrop/` so that running it again resumes. Returns the run's
 * events; the last is `summary`. Consume the iterable: the run proceeds as events are produced, and
 * setup errors (key lock held, bad options) are thrown from it. Leaving the loop early (`break`,
 * `return()`) stops the run as `signal` does — nothing new is submitted, tasks at the service stay in
 * the journal for the next run — and waits until it has stopped and released its locks.
 *
 * ```ts
 * for await (const e of runBatch(items, { out: 'out', apiKeys: [key], edges })) {
 *   if (e.type === 'item-done') console.log(e.result.id, e.result.status);
 * }
 * ```
 */
export function runBatch(items: BatchSource | Iterable<BatchItem> | AsyncIterable<BatchItem>, options: BatchOptions): AsyncIterable<BatchEvent> {
  const channel = new EventChannel<BatchEvent>();
  const source = isBatchSource(items) ? items : itemsSource('items', items);
  // Stopped by the caller's signal, or by the caller leaving the loop.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Every waiting item (slot, submit window, poll sleep) listens to this one signal while it waits, and
  // removes its listener when done: many at once is normal, not a leak.
  setMaxListeners(0, signal);
  const ran = (async () => {
    const locks: KeyLock[] = [];
    try {
      const lanes = makeLanes(options);
      if (options.lock !== false) {
        // The output folder first: a second run on it (any key, any lock folder) waits or stops here.
        locks.push(await acquireOutputLock(options.out, { ...(options.lock?.wait ? { wait: true } : {}), ...(options.signal ? { signal: options.signal } : {}) }));
        for (const l of lanes) {
          const lock = await acquireKeyLock(l.fingerprint, { ...(options.lock?.wait ? { wait: true } : {}), ...(options.lock?.dir ? { dir: options.lock.dir } : {}), signal });
          locks.push(lock);
          l.quietUntil = lock.quietUntil;
        }
      }
      const n = lanes.length;
      const lookahead = options.lookahead ?? Math.max(4, 3 * n);
      const engine = new BatchEngine(
        {
          out: path.resolve(options.out),
          lanes,
          model: options.model ?? BACKGROUND_GENERATION_MODEL,
          limits: {
            maxQps: positive('maxQps', options.maxQps ?? 2),
            maxRunning: positive('maxRunning', options.maxRunning ?? 1),
            // Keep a little under the query limit: the service counts on arrival.
            maxQueriesPerSecond: Math.max(1, Math.floor(positive('maxQueriesPerSecond', options.maxQueriesPerSecond ?? 20) * 0.9)),
            safetyMarginMs: options.safetyMarginMs ?? 100,
            queueAhead: options.queueAhead ?? 1,
          },
          retries: options.retries ?? 2,
          lookahead,
          prepareAhead: options.prepareAhead ?? 4 * lookahead,
          prepareConcurrency: options.prepareConcurrency ?? Math.max(1, options.edges?.concurrency ?? 1),
          uploadConcurrency: options.uploadConcurrency ?? 4,
          fit: options.fit ?? false,
          regenerateExpired: options.regenerateExpired ?? false,
          serviceForgetsBetweenRuns: options.serviceForgetsBetweenRuns ?? false,
          ...(options.edges ? { edges: options.edges } : {}),
          ...(options.layout ? { layout: options.layout } : {}),
          ...(options.tool ? { tool: options.tool } : {}),
          ...(options.fresh ? { fresh: true } : {}),
          ...(options.resubmitUnidentified !== undefined ? { resubmitUnidentified: options.resubmitUnidentified } : {}),
          signal,
        },
        (e) => channel.push(e),
      );
      const summary = await engine.run(source);
      channel.push({ type: 'summary', summary });
      channel.close();
    } catch (err) {
      channel.fail(err);
    } finally {
      for (const l of locks) l.release();
    }
  })();
  return {
    async *[Symbol.asyncIterator]() {
      let finished = false;
      try {
        for await (const e of channel) yield e;
        finished = true;
      } finally {
        if (!finished) {
          stop.abort(new BatchStoppedError());
          await ran;
        }
      }
    },
  };
}

/** Why a run stopped when its caller left the event loop early. */
class BatchStoppedError extends Error {
  constructor() {
    super("the caller stopped reading the run's events");
    this.name = 'BatchStoppedError';
  }
}

function isBatchSource(x: unknown): x is BatchSource {
  return typeof x === 'object' && x !== null && typeof (x as BatchSource).entries === 'function' && typeof (x as BatchSource).label === 'string';
}

function positive(name: string, v: number): number {
  if (!(Number.isFinite(v) && v > 0)) throw new BatchConfigError(`${name} must be a positive number (got ${v})`);
  return v;
}

function makeLanes(options: BatchOptions): EngineLane[] {
  if (options.clients && options.clients.length > 0) return options.clients.map((c) => ({ fingerprint: c.fingerprint, client: c.client }));
  const lanes = openKeyClients(options.apiKeys ?? readApiKeysFromEnv(process.env, { several: true }), options);
  if (lanes.length === 0) throw new BatchConfigError('no API key: pass apiKeys (or set DASHSCOPE_API_KEYS / DASHSCOPE_API_KEY)');
  return lanes;
}
