import { systemClock, type Clock } from '../clock/clock.js';
import { SlidingWindow } from './sliding-window.js';

/** How the service treats a task submitted while the running slot is taken. */
export type SlotPolicy = 'unknown' | 'queues' | 'refuses';

/** Limits of one lane (one API key / account). */
export interface LaneLimits {
  /** Submits in any sliding second (account limit 2). */
  maxQps: number;
  /** Tasks running at once (account limit 1). */
  maxRunning: number;
  /** Task queries in any sliding second (account limit 20). */
  maxQueriesPerSecond: number;
  /** Extra milliseconds added to each one-second window, for network jitter (the service counts on arrival). */
  safetyMarginMs: number;
  /** Tasks submitted ahead of the running ones while the service queues them (default 1). */
  queueAhead: number;
}

/** A task of ours the service has accepted and not yet finished. */
export interface InServiceTask {
  taskId: string;
  itemId: string;
  /** When the submit was accepted (epoch ms). */
  submittedAt: number;
  /** Best estimate of when it started running; set when known. */
  runningSince?: number;
  /** True when the slot was free at submit, so `runningSince` is exact enough to learn durations from. */
  startedOnSubmit: boolean;
  /** Last status seen. */
  status: string;
}

/**
 * One API key's share of the service: the submit and query rate windows, the running slot(s), what the
 * service does with a second task (queues or refuses, learned from its replies), and typical task
 * durations (learned from finished tasks) to poll fast only when a task is about to end.
 */
export class Lane {
  readonly submits: SlidingWindow;
  readonly queries: SlidingWindow;
  policy: SlotPolicy = 'unknown';
  private readonly active = new Map<string, InServiceTask>();
  /** Slots reserved by submits in flight. */
  private reserved = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly durations: number[] = [];
  /** Items assigned to this lane and not yet submitted (for balancing lanes). */
  backlog = 0;

  constructor(
    readonly index: number,
    readonly fingerprint: string,
    readonly limits: LaneLimits,
    /** The time every wait of this lane (its windows, its polls) is measured in. */
    readonly clock: Clock = systemClock,
  ) {
    this.submits = new SlidingWindow(limits.maxQps, 1000 + limits.safetyMarginMs, 0, clock);
    // Queries are spread evenly: a burst would leave the end of a task unobserved for the rest of the window.
    const queryWindow = 1000 + limits.safetyMarginMs;
    this.queries = new SlidingWindow(limits.maxQueriesPerSecond, queryWindow, queryWindow / limits.maxQueriesPerSecond, clock);
  }

  /** Tasks the lane may have at the service at once under the current policy. */
  capacity(): number {
    return this.limits.maxRunning + (this.policy === 'refuses' ? 0 : this.limits.queueAhead);
  }

  /** Tasks in service plus submits in flight. */
  load(): number {
    return this.active.size + this.reserved;
  }

  /** Waits for room to submit (FIFO) and reserves it; call `commit` or `unreserve` after the submit. */
  async reserve(signal?: AbortSignal): Promise<void> {
    while (this.load() >= this.capacity()) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.reserved++;
  }

  /** The reserved submit was accepted: the task is in service. */
  commit(task: Omit<InServiceTask, 'startedOnSubmit' | 'status' | 'runningSince'>, status: string): InServiceTask {
    this.reserved = Math.max(0, this.reserved - 1);
    const startedOnSubmit = this.runningCount() < this.limits.maxRunning;
    const t: InServiceTask = { ...task, startedOnSubmit, status, ...(startedOnSubmit ? { runningSince: task.submittedAt } : {}) };
    this.active.set(task.taskId, t);
    return t;
  }

  /** A task found in service without a submit in this run (resume). */
  adopt(task: { taskId: string; itemId: string; submittedAt: number }): InServiceTask {
    const t: InServiceTask = { ...task, startedOnSubmit: false, status: 'UNKNOWN' };
    this.active.set(task.taskId, t);
    return t;
  }

  /** The reserved submit did not create a task. */
  unreserve(): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.wake();
  }

  /** The task reached a final status (observed at `at`). */
  finish(taskId: string, at = this.clock.now()): void {
    const t = this.active.get(taskId);
    if (!t) return;
    this.active.delete(taskId);
    if (t.startedOnSubmit && t.runningSince !== undefined && t.status !== 'FAILED') {
      this.durations.push(at - t.runningSince);
      if (this.durations.length > 50) this.durations.shift();
    }
    // The oldest queued task takes over the slot now.
    for (const next of this.active.values()) {
      if (next.runningSince === undefined) {
        next.runningSince = at;
        break;
      }
    }
    this.wake();
  }

  /** Stops tracking a task whose status can no longer be read (nothing is learned from it). */
  abandon(taskId: string): void {
    if (this.active.delete(taskId)) this.wake();
  }

  /** The service refused a task because the slot is busy: stop submitting ahead. */
  learnRefuses(): void {
    this.policy = 'refuses';
  }

  /** The service accepted a task while ours was running: it queues. */
  learnQueues(): void {
    if (this.policy === 'unknown') this.policy = 'queues';
  }

  /** Tasks believed to be running (not queued). */
  runningCount(): number {
    let n = 0;
    for (const t of this.active.values()) if (t.runningSince !== undefined) n++;
    return n;
  }

  /** True when a task of ours is waiting at the service behind `taskId` (the slot stays busy when it ends). */
  hasSuccessor(taskId: string): boolean {
    const t = this.active.get(taskId);
    if (!t) return false;
    for (const other of this.active.values()) if (other !== t && other.submittedAt >= t.submittedAt && other.runningSince === undefined) return true;
    return false;
  }

  /** Shortest task duration seen, when any. */
  shortestDuration(): number | undefined {
    return this.durations.length > 0 ? Math.min(...this.durations) : undefined;
  }

  /**
   * Milliseconds to wait before querying `task` again. Fast (the query window is the only limit) when the
   * slot would otherwise idle after it ends and it is due to end; slow otherwise.
   */
  nextPollDelay(task: InServiceTask, now = this.clock.now(), wantsSlot = true): number {
    if (task.status === 'PENDING' || task.runningSince === undefined) return 400;
    if (!wantsSlot || this.hasSuccessor(task.taskId)) return 300;
    const shortest = this.shortestDuration();
    if (shortest === undefined) return 0;
    const fastFrom = task.runningSince + shortest * 0.85 - 150;
    return fastFrom > now ? Math.min(fastFrom - now, 5000) : 0;
  }

  inService(): IterableIterator<InServiceTask> {
    return this.active.values();
  }

  private wake(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }
}
