import path from 'node:path';
import type PQueue from 'p-queue';
import type { BatchClient, ClientErrorFacts } from '../batch-client.js';
import type { UploadCache } from '../cache/upload-cache.js';
import type { Clock } from '../clock/clock.js';
import type { Journal } from '../journal/journal.js';
import type { EdgeMaker } from '../stages/prepare.js';
import type { Lane, LaneLimits } from '../throttle/lane.js';
import type { BatchEvent } from './batch-events.js';
import type { ItemResults } from './item-results.js';

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
  /**
   * The service keeps nothing between runs (an emulator started for this run): tasks and uploads of
   * earlier runs are not looked for; their unfinished items are generated anew, said once in a `note`.
   */
  serviceForgetsBetweenRuns?: boolean;
  /** Items whose inputs are prepared (HED) ahead of the look-ahead window (default 4 × lookahead). */
  prepareAhead?: number;
  edges?: EdgeMaker;
  signal?: AbortSignal;
  /** Time for every wait and timestamp of the run (default real time). */
  clock?: Clock;
  /** `flat`: one item's files directly in `out` (results.jsonl with the journal in `<out>/.backdrop/`); default `<out>/<id>/`. */
  layout?: 'per-item' | 'flat';
  /** `tool` of the `task.json` records (default `@backdrop/pipeline batch`). */
  tool?: string;
  /**
   * A submit whose reply was lost and whose task reconciliation cannot identify: submit again (default
   * true; a possible duplicate charge, reported) or fail the item with `SubmitUnknown`, naming the candidate tasks.
   */
  resubmitUnidentified?: boolean;
  /** Start from an empty journal (the earlier one is kept as `journal.previous.jsonl`): nothing of earlier runs is resumed. */
  fresh?: boolean;
}

/** The folder of an item's files: `<out>/<id>/`, or `out` itself in the flat layout. */
export function itemDir(settings: Pick<EngineSettings, 'out' | 'layout'>, id: string): string {
  return settings.layout === 'flat' ? settings.out : path.join(settings.out, id);
}

/** A lane with its client and the engine's bookkeeping for it. */
export interface LaneHandle {
  lane: Lane;
  client: BatchClient;
  /** Items waiting for this lane's slot. */
  waitingForSlot: number;
  /** Tail of this lane's submit lock (one submit in flight per lane). */
  submitTail: Promise<void>;
}

/** When an item passed each step (epoch ms). */
export interface Timings {
  preparedAt?: number;
  uploadedAt?: number;
  /** When the submit that created the item's task left (before its reply). */
  submitStartedAt?: number;
  submittedAt?: number;
  endedAt?: number;
  downloadedAt?: number;
}

/** What the engine's parts share during one run. */
export interface EngineContext {
  readonly settings: EngineSettings;
  readonly clock: Clock;
  readonly stateDir: string;
  readonly journal: Journal;
  readonly uploads: UploadCache;
  readonly emit: (e: BatchEvent) => void;
  readonly signal: AbortSignal | undefined;
  readonly lanes: LaneHandle[];
  /** Items whose submit may have created a task nobody could identify (possible double charge). */
  readonly possibleDuplicates: Set<string>;
  /** Lanes whose key the service refused (401/403/arrears), with the reason. */
  readonly refusedKeys: Map<number, ClientErrorFacts>;
  readonly results: ItemResults;
  /** Items of earlier runs that a service which forgets between runs no longer knows: generated anew. */
  readonly forgotten: Set<string>;
  /** HED runs and uploads at once. */
  readonly prepareQueue: PQueue;
  readonly uploadQueue: PQueue;
  /** Notes for an item's `task.json` (e.g. its task was adopted from the task list), by item id. */
  readonly notes: Map<string, string[]>;
}

/** Adds a note to an item's `task.json`. */
export function noteFor(ctx: EngineContext, id: string, note: string): void {
  const list = ctx.notes.get(id) ?? [];
  list.push(note);
  ctx.notes.set(id, list);
}

/** An item failed for a reason the engine states (with the service error behind it, when there was one). */
export class ItemFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The service error behind it, when there was one. */
    readonly facts?: ClientErrorFacts,
  ) {
    super(message);
  }
}

/** `{ signal }` when the run has one, for calls that take an options object. */
export function signalOption(ctx: EngineContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {};
}
