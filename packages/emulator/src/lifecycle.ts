/**
 * Tasks and their lives: PENDING → RUNNING → SUCCEEDED / FAILED (or CANCELED while PENDING), per-key
 * running slots with a FIFO queue, run times, image generation during RUNNING, and expiry.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { FaultInjector } from './faults.js';
import type { GeneratedImages, GenerationInput } from './images/compose.js';
import type { EmulatorConfig } from './options.js';
import { TASK_LIFETIME_MS } from './options.js';
import { SeededRandom, deriveSeed } from './random.js';
import type { ResultStore } from './result-store.js';
import type { EmulatorTaskStatus, StatsRecorder } from './stats.js';

/** Result URLs of a SUCCEEDED task (paths; the server adds its origin). */
export interface TaskOutputs {
  results: string[];
  plain?: string[];
  textParams?: Record<string, unknown>[];
}

/** One task as the emulator keeps it. */
export interface TaskRecord {
  id: string;
  /** API-key fingerprint of the owner. */
  key: string;
  model: string;
  requestId: string;
  n: number;
  status: EmulatorTaskStatus;
  submittedAt: number;
  scheduledAt?: number;
  endedAt?: number;
  /** When a finished task is forgotten (24 h × timeScale after it ended). */
  expiresAt?: number;
  failure?: { code: string; message: string };
  /** Positions whose image is reported missing (`code`/`message` instead of `url`) in a partial result. */
  partial?: { indices: number[]; code: string; message: string };
  outputs?: TaskOutputs;
  /** Inputs, dropped once the task has run. */
  input?: GenerationInput;
  /** The task may start once PENDING this long (scheduling latency). */
  readyAt: number;
  /** Time it will spend RUNNING (at least; longer if its images take longer). */
  runMs: number;
}

/** Generates images; injected so tests and the lifecycle do not depend on the image code directly. */
export type ImageGenerator = (input: GenerationInput) => Promise<GeneratedImages>;

function sample(rng: SeededRandom, [min, max]: [number, number]): number {
  return min === max ? min : rng.between(min, max);
}

/** Owns every task, its timers and its slot. */
export class TaskLifecycle {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly queues = new Map<string, TaskRecord[]>();
  private readonly running = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private created = 0;
  private closed = false;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly clock: Clock,
    private readonly stats: StatsRecorder,
    private readonly faults: FaultInjector,
    private readonly results: ResultStore,
    private readonly generate: ImageGenerator,
  ) {}

  /**
   * Runs `run` after `ms`. A zero delay runs it as a microtask, before any other request is read: a task
   * created with `pendingMs: 0` is RUNNING (when a slot is free) for every query that follows the submit
   * reply, however the event loop happens to interleave timers and sockets.
   */
  private later(ms: number, run: () => void): void {
    if (this.closed) return;
    if (ms <= 0) {
      queueMicrotask(() => {
        if (!this.closed) run();
      });
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (!this.closed) run();
      },
      Math.max(0, ms),
    );
    this.timers.add(timer);
  }

  /** Unfinished (PENDING or RUNNING) tasks of a key: what counts against `maxRunning` under `reject`. */
  unfinished(key: string): number {
    return (this.queues.get(key)?.length ?? 0) + (this.running.get(key) ?? 0);
  }

  /**
   * Creates a PENDING task and schedules it. Without `input` the task is one that will fail with
   * `failure` (an input it could not use, reported at the task as the service may do).
   */
  create(key: string, requestId: string, model: string, n: number, input: GenerationInput | { failure: { code: string; message: string } }): TaskRecord {
    const index = this.created++;
    const inputFailure = 'failure' in input ? input.failure : undefined;
    const injected = inputFailure ? undefined : this.faults.taskFailure(index);
    const partial = inputFailure || injected ? undefined : this.faults.partialFailure(index, n);
    const now = this.clock.now();
    const rng = new SeededRandom(deriveSeed(this.config.seed, 'task', index));
    const pendingMs = sample(rng, this.config.pendingMs);
    const runMs = sample(rng, this.config.taskMs);
    const task: TaskRecord = {
      id: randomUUID(),
      key,
      model,
      requestId,
      n,
      status: 'PENDING',
      submittedAt: now,
      readyAt: now + pendingMs,
      runMs,
      failure: inputFailure ?? injected,
      partial,
      input: 'failure' in input ? undefined : { ...input, seed: deriveSeed(this.config.seed, 'images', index) },
    };
    if (injected) this.stats.recordFault(key, 'taskFailure');
    if (partial) this.stats.recordFault(key, 'partialResult');
    this.tasks.set(task.id, task);
    const queue = this.queues.get(key) ?? [];
    queue.push(task);
    this.queues.set(key, queue);
    this.stats.recordTaskCreated({ taskId: task.id, key, n: task.n, submittedAt: now, requestId });
    this.later(pendingMs, () => this.pump(key));
    return task;
  }

  /** The task if it exists, belongs to `key` and has not expired. */
  get(id: string, key: string): TaskRecord | undefined {
    const task = this.tasks.get(id);
    if (!task || task.key !== key) return undefined;
    if (task.expiresAt !== undefined && task.expiresAt <= this.clock.now()) return undefined;
    return task;
  }

  /** Tasks of `key` that have not expired, newest first. */
  list(key: string): TaskRecord[] {
    const now = this.clock.now();
    return [...this.tasks.values()].filter((t) => t.key === key && (t.expiresAt === undefined || t.expiresAt > now)).sort((a, b) => b.submittedAt - a.submittedAt);
  }

  /** Cancels a PENDING task; false when the task is in any other state. */
  cancel(task: TaskRecord): boolean {
    if (task.status !== 'PENDING') return false;
    const queue = this.queues.get(task.key) ?? [];
    const at = queue.indexOf(task);
    if (at >= 0) queue.splice(at, 1);
    this.finish(task, 'CANCELED');
    this.pump(task.key);
    return true;
  }

  /** Starts queued tasks of `key` (FIFO) while slots are free. */
  private pump(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    const now = this.clock.now();
    while (queue.length > 0 && (this.running.get(key) ?? 0) < this.config.maxRunning) {
      const head = queue[0];
      if (head.readyAt > now) {
        this.later(head.readyAt - now, () => this.pump(key));
        return;
      }
      queue.shift();
      this.start(head);
    }
  }

  private start(task: TaskRecord): void {
    const now = this.clock.now();
    task.status = 'RUNNING';
    task.scheduledAt = now;
    this.running.set(task.key, (this.running.get(task.key) ?? 0) + 1);
    this.stats.recordTaskStatus(task.id, 'RUNNING', now);
    const timer = new Promise<void>((resolve) => this.later(task.runMs, resolve));
    const input = task.input;
    const work: Promise<GeneratedImages | undefined> = task.failure || !input ? Promise.resolve(undefined) : this.generate(input);
    Promise.all([timer, work]).then(
      ([, images]) => {
        if (this.closed) return;
        this.finish(task, task.failure ? 'FAILED' : 'SUCCEEDED', images);
      },
      (error: unknown) => {
        if (this.closed) return;
        this.config.logger.error?.(`emulator: generating images for task ${task.id} failed: ${String(error)}`);
        task.failure = { code: 'InternalError.Algo', message: `Image generation failed in the emulator: ${String(error)}` };
        this.finish(task, 'FAILED');
      },
    );
  }

  /** Stores a task's images; their URLs expire with the task. */
  private storeImages(task: TaskRecord, images: GeneratedImages, now: number, expiresAt: number): TaskOutputs {
    const results = images.results.map((bytes, i) => this.results.put(task.id, `${i}`, bytes, 'image/png', now, expiresAt));
    const plain = images.plain?.map((bytes, i) => this.results.put(task.id, `${i}_plain`, bytes, 'image/png', now, expiresAt));
    return { results, plain, textParams: images.textParams };
  }

  private finish(task: TaskRecord, status: 'SUCCEEDED' | 'FAILED' | 'CANCELED', images?: GeneratedImages): void {
    const now = this.clock.now();
    const wasRunning = task.status === 'RUNNING';
    task.status = status;
    task.endedAt = now;
    task.expiresAt = now + TASK_LIFETIME_MS * this.config.timeScale;
    if (images) task.outputs = this.storeImages(task, images, now, task.expiresAt);
    task.input = undefined;
    this.stats.recordTaskStatus(task.id, status, now);
    if (wasRunning) {
      this.running.set(task.key, (this.running.get(task.key) ?? 1) - 1);
      this.pump(task.key);
    }
  }

  /** Forgets expired tasks (their result images expire in the result store). */
  sweep(now: number): void {
    for (const [id, task] of this.tasks) if (task.expiresAt !== undefined && task.expiresAt <= now) this.tasks.delete(id);
  }

  /** All tasks currently kept (any key), for tests and tools. */
  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  /** Stops every timer; tasks stop where they are. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
