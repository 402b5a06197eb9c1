/** What the emulator saw, per API-key fingerprint and in total (served at `GET /emulator/stats`). */
import { WindowPeak } from './limits.js';

/** Task statuses the emulator uses. */
export type EmulatorTaskStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELED';

/** Counters for one key, or for all keys together. */
export interface KeyStats {
  /** API requests that passed authentication (every route under /api/v1). */
  requests: number;
  /** Submit requests that passed authentication, whatever their outcome. */
  submitRequests: number;
  /** Tasks created (accepted submits). */
  tasksCreated: number;
  /** Tasks by current status (expired tasks keep their last status). */
  tasksByStatus: Record<EmulatorTaskStatus, number>;
  /** Most tasks `RUNNING` at the same time. */
  peakRunning: number;
  /** Most submit requests (any outcome) within any 1 s window. */
  peakSubmitsPerSecond: number;
  /** Most tasks created within any 1 s window. */
  peakTasksCreatedPerSecond: number;
  /** Task queries (`GET /tasks/{id}`) and list requests that passed authentication. */
  queries: number;
  /** Most task queries within any 1 s window. */
  peakQueriesPerSecond: number;
  /** 429 replies by code (`Throttling.RateQuota`, `Throttling.AllocationQuota`). */
  throttled: Record<string, number>;
  /** Every error reply by code, 429s included. */
  errors: Record<string, number>;
  /** Injected faults by kind (`serverError`, `slowReply`, `dropConnection`, `taskFailure`, `partialResult`). */
  faults: Record<string, number>;
}

/** One task's life, for slot utilisation and duplicate detection. Times are ms since the epoch. */
export interface TaskTimelineEntry {
  taskId: string;
  /** API-key fingerprint (`key_…`). */
  key: string;
  n: number;
  status: EmulatorTaskStatus;
  submittedAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** Request id of the accepted submit. */
  requestId: string;
}

/** The reply of `GET /emulator/stats` and `Emulator.stats()`. */
export interface EmulatorStats {
  /** When the emulator (or the last reset) started, ms since the epoch. */
  startedAt: number;
  /** When this snapshot was taken, ms since the epoch. */
  now: number;
  total: KeyStats;
  /** Per API-key fingerprint. */
  keys: Record<string, KeyStats>;
  /** Every task created since start/reset, in creation order. */
  timeline: TaskTimelineEntry[];
}

function emptyKeyStats(): KeyStats {
  return {
    requests: 0,
    submitRequests: 0,
    tasksCreated: 0,
    tasksByStatus: { PENDING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, CANCELED: 0 },
    peakRunning: 0,
    peakSubmitsPerSecond: 0,
    peakTasksCreatedPerSecond: 0,
    queries: 0,
    peakQueriesPerSecond: 0,
    throttled: {},
    errors: {},
    faults: {},
  };
}

class KeyCounters {
  readonly stats = emptyKeyStats();
  readonly submitPeak = new WindowPeak();
  readonly createdPeak = new WindowPeak();
  readonly queryPeak = new WindowPeak();
  running = 0;
}

/** Collects stats; every `record*` call updates the key's counters and the total. */
export class StatsRecorder {
  private startedAt: number;
  private total = new KeyCounters();
  private keys = new Map<string, KeyCounters>();
  private timeline: TaskTimelineEntry[] = [];
  private readonly byTask = new Map<string, TaskTimelineEntry>();

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  /** Applies to the key's counters and the total; without a key (a request that failed authentication) to the total only. */
  private each(key: string | undefined, apply: (c: KeyCounters) => void): void {
    if (key !== undefined) {
      let counters = this.keys.get(key);
      if (!counters) {
        counters = new KeyCounters();
        this.keys.set(key, counters);
      }
      apply(counters);
    }
    apply(this.total);
  }

  recordRequest(key: string): void {
    this.each(key, (c) => c.stats.requests++);
  }

  recordSubmitRequest(key: string, now: number): void {
    this.each(key, (c) => {
      c.stats.submitRequests++;
      c.submitPeak.record(now);
      c.stats.peakSubmitsPerSecond = c.submitPeak.peak;
    });
  }

  recordQuery(key: string, now: number): void {
    this.each(key, (c) => {
      c.stats.queries++;
      c.queryPeak.record(now);
      c.stats.peakQueriesPerSecond = c.queryPeak.peak;
    });
  }

  recordError(key: string | undefined, code: string, status: number): void {
    this.each(key, (c) => {
      c.stats.errors[code] = (c.stats.errors[code] ?? 0) + 1;
      if (status === 429) c.stats.throttled[code] = (c.stats.throttled[code] ?? 0) + 1;
    });
  }

  recordFault(key: string | undefined, kind: string): void {
    this.each(key, (c) => {
      c.stats.faults[kind] = (c.stats.faults[kind] ?? 0) + 1;
    });
  }

  recordTaskCreated(entry: Omit<TaskTimelineEntry, 'status' | 'startedAt' | 'endedAt'>): void {
    const full: TaskTimelineEntry = { ...entry, status: 'PENDING', startedAt: null, endedAt: null };
    this.timeline.push(full);
    this.byTask.set(full.taskId, full);
    this.each(entry.key, (c) => {
      c.stats.tasksCreated++;
      c.stats.tasksByStatus.PENDING++;
      c.createdPeak.record(entry.submittedAt);
      c.stats.peakTasksCreatedPerSecond = c.createdPeak.peak;
    });
  }

  recordTaskStatus(taskId: string, status: EmulatorTaskStatus, at: number): void {
    const entry = this.byTask.get(taskId);
    if (!entry) return; // created before a reset
    const previous = entry.status;
    if (previous === status) return;
    entry.status = status;
    if (status === 'RUNNING') entry.startedAt = at;
    else if (status !== 'PENDING') entry.endedAt = at;
    this.each(entry.key, (c) => {
      c.stats.tasksByStatus[previous]--;
      c.stats.tasksByStatus[status]++;
      if (status === 'RUNNING') {
        c.running++;
        if (c.running > c.stats.peakRunning) c.stats.peakRunning = c.running;
      } else if (previous === 'RUNNING') {
        c.running--;
      }
    });
  }

  /** A deep copy, safe to hand out and serialise. */
  snapshot(): EmulatorStats {
    const keys: Record<string, KeyStats> = {};
    for (const [key, c] of this.keys) keys[key] = structuredClone(c.stats);
    return {
      startedAt: this.startedAt,
      now: this.now(),
      total: structuredClone(this.total.stats),
      keys,
      timeline: this.timeline.map((e) => ({ ...e })),
    };
  }

  /** Forgets everything seen so far; tasks still running keep counting from here. */
  reset(): void {
    this.startedAt = this.now();
    this.total = new KeyCounters();
    this.keys = new Map();
    this.timeline = [];
    this.byTask.clear();
  }
}
