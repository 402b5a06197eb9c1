import type { Redis } from 'ioredis';
import type { QueueNames } from './queue-names.js';

/** Where an item is, as `queue` counts it. */
export type ItemStage = 'queued' | 'preparing' | 'prepared' | 'waiting-slot' | 'submitting' | 'at-service' | 'downloading' | 'done' | 'failed';

/** A submit whose outcome is not known yet: recorded before the request is sent. */
export interface PendingSubmit {
  lane: string;
  attempt: number;
  startedAt: number;
}

/** The cluster's journal of one item (a Redis hash per job): what the next owner of the job needs to go on without paying twice. */
export interface ItemRecord {
  /** Submits so far. */
  attempts: number;
  /** Set before a submit is sent, cleared once its outcome is known. */
  submit?: PendingSubmit;
  /** The item's task at the service and the key that owns it. */
  task?: { taskId: string; lane: string; submittedAt: number };
  /** The wire request of the last submit (URLs, never the key), for `task.json`. */
  request?: unknown;
  /** True when a submit may have created a task nobody could identify. */
  possibleDuplicate?: boolean;
}

/**
 * Item records in Redis: `items:<jobId>` hashes, the stage of every job (`stages`), the task ids every
 * key has claimed (`tasks:<fingerprint>`, so reconciliation skips them), failures with their reasons,
 * and completions per key (for throughput).
 */
export class ItemRecords {
  constructor(
    private readonly redis: Redis,
    private readonly names: QueueNames,
  ) {}

  private itemKey(jobId: string): string {
    return this.names.key(`items:${jobId}`);
  }

  async get(jobId: string): Promise<ItemRecord> {
    const h = await this.redis.hgetall(this.itemKey(jobId));
    return {
      attempts: Number(h.attempts ?? 0),
      ...(h.submit ? { submit: JSON.parse(h.submit) as PendingSubmit } : {}),
      ...(h.task ? { task: JSON.parse(h.task) as ItemRecord['task'] & object } : {}),
      ...(h.request ? { request: JSON.parse(h.request) as unknown } : {}),
      ...(h.possibleDuplicate === '1' ? { possibleDuplicate: true } : {}),
    };
  }

  /** Records a submit about to be sent (before it is sent). */
  async submitStarted(jobId: string, submit: PendingSubmit, request: unknown): Promise<void> {
    await this.redis
      .multi()
      .hset(this.itemKey(jobId), 'submit', JSON.stringify(submit), 'attempts', String(submit.attempt), 'request', JSON.stringify(request))
      .hset(this.names.key('stages'), jobId, 'submitting')
      .exec();
  }

  /** The submit created `taskId` (sent and answered, or found by reconciliation): the item owns it. */
  async taskCreated(jobId: string, task: { taskId: string; lane: string; submittedAt: number }): Promise<void> {
    await this.redis
      .multi()
      .sadd(this.names.key(`tasks:${task.lane}`), task.taskId)
      .hset(this.itemKey(jobId), 'task', JSON.stringify(task))
      .hdel(this.itemKey(jobId), 'submit')
      .hset(this.names.key('stages'), jobId, 'at-service')
      .exec();
  }

  /** The pending submit created no task (or none that could be identified, with `possibleDuplicate`). */
  async submitSettledWithoutTask(jobId: string, possibleDuplicate = false): Promise<void> {
    const m = this.redis.multi().hdel(this.itemKey(jobId), 'submit');
    if (possibleDuplicate) m.hset(this.itemKey(jobId), 'possibleDuplicate', '1');
    await m.exec();
  }

  /** The item's task ended without a usable result: it may be submitted again. */
  async taskDropped(jobId: string): Promise<void> {
    await this.redis.hdel(this.itemKey(jobId), 'task');
  }

  /** Task ids key `lane` has claimed (never adopted by reconciliation). */
  async claimedTaskIds(lane: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(this.names.key(`tasks:${lane}`)));
  }

  async setStage(jobId: string, stage: ItemStage): Promise<void> {
    await this.redis.hset(this.names.key('stages'), jobId, stage);
  }

  /** Sets the stage only for a job never seen before (a second enqueue does not reset it). */
  async setStageIfNew(jobId: string, stage: ItemStage): Promise<boolean> {
    return (await this.redis.hsetnx(this.names.key('stages'), jobId, stage)) === 1;
  }

  /** The item is done: its stage, and a completion for key `lane`'s throughput. */
  async done(jobId: string, lane: string): Promise<void> {
    const [sec] = await this.redis.time();
    await this.redis
      .multi()
      .hset(this.names.key('stages'), jobId, 'done')
      .hdel(this.names.key('failures'), jobId)
      .zadd(this.names.key(`completed:${lane}`), String(Number(sec) * 1000), jobId)
      .sadd(this.names.key('lanes'), lane)
      .exec();
  }

  /** The item failed for good, with the reason. */
  async failed(jobId: string, id: string, code: string, message: string): Promise<void> {
    await this.redis.multi().hset(this.names.key('stages'), jobId, 'failed').hset(this.names.key('failures'), jobId, JSON.stringify({ id, code, message })).exec();
  }

  /** A worker holding key `lane` is alive (for `queue`'s per-key listing). */
  async laneSeen(lane: string): Promise<void> {
    await this.redis.sadd(this.names.key('lanes'), lane);
  }
}
