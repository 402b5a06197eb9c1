import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueNames } from './queue-names.js';

/**
 * One account's limits, as every worker on every machine keeps them together (the same numbers and
 * safety margin as the local lane of `backdrop batch`).
 */
export interface SharedLimitSettings {
  /** Submits in any sliding second (account limit 2). */
  maxQps: number;
  /** Tasks running at once (account limit 1). */
  maxRunning: number;
  /** Tasks submitted ahead of the running ones while the service queues them (default 1). */
  queueAhead: number;
  /** Task queries in any sliding second (account limit 20; 90 % of it is used). */
  maxQueriesPerSecond: number;
  /** Milliseconds added to each one-second window against network jitter (the service counts on arrival). */
  safetyMarginMs: number;
  /** How long a slot lease lives without renewal (a dead worker's slot frees after this). */
  slotLeaseMs: number;
  /** How long the per-key submit lock lives without renewal. */
  submitLockMs: number;
}

/** The defaults: the service's documented limits with the local lane's margin. */
export const DEFAULT_SHARED_LIMITS: SharedLimitSettings = {
  maxQps: 2,
  maxRunning: 1,
  queueAhead: 1,
  maxQueriesPerSecond: 20,
  safetyMarginMs: 100,
  slotLeaseMs: 15_000,
  submitLockMs: 20_000,
};

/**
 * A true sliding window in a sorted set (member = grant, score = Redis server time in ms), checked and
 * recorded in one atomic script: at most `limit` grants in any `window` ms, at least `spacing` ms apart,
 * none before the pause key's epoch ms. Returns `{1, now}` for a grant, `{0, waitMs}` otherwise.
 * Redis's own clock is used so that machines with skewed clocks still share one window.
 */
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local spacing = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local wait = 0
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then wait = paused - now end
if spacing > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] then wait = math.max(wait, tonumber(last[2]) + spacing - now) end
end
local n = redis.call('ZCARD', KEYS[1])
if n >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + window - now + 1)
end
if wait <= 0 then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return {1, now}
end
return {0, wait}
`;

/**
 * A slot lease in a sorted set (member = holder, score = expiry in Redis ms): expired leases are dropped,
 * the holder's own lease is renewed, a new one is granted while fewer than `capacity` are held (or always
 * with `force`, for a task that is already at the service). Returns 1 when held.
 */
const SLOT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local held = redis.call('ZSCORE', KEYS[1], ARGV[1])
if held or ARGV[4] == '1' or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0
`;

/** Re-stamps a grant with the current Redis time (when it is still in the window). */
const RESTAMP_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
`;

/** Releases a lock only when it still holds our token. */
const UNLOCK_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Renews a lock only when it still holds our token. */
const RENEW_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** A grant of a sliding window: its member in the sorted set and when it was granted (Redis time, ms). */
export interface WindowGrant {
  id: string;
  at: number;
}

/**
 * The limits of every account, kept in Redis so that all workers share them: sliding submit and query
 * windows, the running slots (leases, so that a dead worker's slot frees itself), a per-key submit lock
 * (one submit of a key in flight at a time, so reconciliation sees no task of a live submit), pauses
 * after 429 and retired keys (401/403) that hold for everyone.
 */
export class SharedLimits {
  readonly settings: SharedLimitSettings;

  constructor(
    private readonly redis: Redis,
    private readonly names: QueueNames,
    settings: Partial<SharedLimitSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SHARED_LIMITS, ...settings };
  }

  private get submitWindowMs(): number {
    return 1000 + this.settings.safetyMarginMs;
  }

  /**
   * Waits for a submit grant of key `fp` (≤ maxQps in any sliding second plus margin); returns the grant,
   * to be passed to {@link settleSubmit} once the submit's reply (or failure) is in.
   */
  async acquireSubmit(fp: string, signal?: AbortSignal): Promise<WindowGrant> {
    return this.acquire(`submits:${fp}`, `pause:submit:${fp}`, this.settings.maxQps, this.submitWindowMs, 0, signal);
  }

  /**
   * Moves a submit's stamp from its grant to now (after its reply). The service counts a submit when it
   * arrives, somewhere between the two; a loaded machine or network can make that late, so the window
   * counts it from the latest moment it can have arrived.
   */
  async settleSubmit(fp: string, grant: WindowGrant): Promise<void> {
    await this.redis.eval(RESTAMP_LUA, 1, this.names.key(`submits:${fp}`), grant.id);
  }

  /** Waits for a task-query grant of key `fp` (90 % of the query limit, spread evenly over the window). */
  async acquireQuery(fp: string, signal?: AbortSignal): Promise<WindowGrant> {
    const limit = Math.max(1, Math.floor(this.settings.maxQueriesPerSecond * 0.9));
    const window = 1000 + this.settings.safetyMarginMs;
    return this.acquire(`queries:${fp}`, `pause:query:${fp}`, limit, window, window / limit, signal);
  }

  private async acquire(setPart: string, pausePart: string, limit: number, windowMs: number, spacingMs: number, signal?: AbortSignal): Promise<WindowGrant> {
    const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
    for (;;) {
      signal?.throwIfAborted();
      const [granted, value] = (await this.redis.eval(
        SLIDING_WINDOW_LUA,
        2,
        this.names.key(setPart),
        this.names.key(pausePart),
        String(limit),
        String(windowMs),
        String(Math.round(spacingMs)),
        member,
      )) as [number, number];
      if (granted === 1) return { id: member, at: value };
      await sleep(Math.max(1, Math.min(value, 5000)), undefined, signal ? { signal } : undefined);
    }
  }

  /** No submit (or, with `what: 'query'`, no query) of key `fp` by any worker before `untilMs` (local epoch ms). */
  async pause(fp: string, what: 'submit' | 'query', forMs: number): Promise<void> {
    const [sec, micro] = await this.redis.time();
    const until = Number(sec) * 1000 + Math.floor(Number(micro) / 1000) + forMs;
    const key = this.names.key(`pause:${what}:${fp}`);
    const current = Number((await this.redis.get(key)) ?? 0);
    if (until > current) await this.redis.set(key, String(until), 'PX', Math.max(1000, forMs * 2));
  }

  /** Tasks key `fp` may have at the service at once under the shared policy. */
  async capacity(fp: string): Promise<number> {
    const policy = await this.redis.get(this.names.key(`policy:${fp}`));
    return this.settings.maxRunning + (policy === 'refuses' ? 0 : this.settings.queueAhead);
  }

  /** Records that the service refuses a second task while one runs (AllocationQuota): no more queue-ahead, for everyone. */
  async learnRefuses(fp: string): Promise<void> {
    await this.redis.set(this.names.key(`policy:${fp}`), 'refuses');
  }

  /**
   * Takes (or renews) a slot of key `fp` for `holder` (the item's job id) when one is free; with `force`,
   * even when none is (the holder's task is already at the service). True when held.
   */
  async claimSlot(fp: string, holder: string, force = false): Promise<boolean> {
    const capacity = await this.capacity(fp);
    const r = await this.redis.eval(SLOT_LUA, 1, this.names.key(`slots:${fp}`), holder, String(this.settings.slotLeaseMs), String(capacity), force ? '1' : '0');
    return r === 1;
  }

  /** Gives a slot back. */
  async releaseSlot(fp: string, holder: string): Promise<void> {
    await this.redis.zrem(this.names.key(`slots:${fp}`), holder);
  }

  /** Live slot leases of key `fp`. */
  async slotLoad(fp: string): Promise<number> {
    const [sec, micro] = await this.redis.time();
    const now = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    return this.redis.zcount(this.names.key(`slots:${fp}`), `(${now}`, '+inf');
  }

  /**
   * Runs `fn` holding key `fp`'s submit lock (one submit of that key in flight in the whole cluster, and
   * no reconciliation while one is). The lock is renewed while `fn` runs; it expires on its own when the
   * holder dies.
   */
  async withSubmitLock<T>(fp: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const key = this.names.key(`submit-lock:${fp}`);
    const token = randomBytes(8).toString('hex');
    for (;;) {
      signal?.throwIfAborted();
      const ok = await this.redis.set(key, token, 'PX', this.settings.submitLockMs, 'NX');
      if (ok === 'OK') break;
      await sleep(20 + Math.random() * 30, undefined, signal ? { signal } : undefined);
    }
    const renew = setInterval(
      () => {
        this.redis.eval(RENEW_LUA, 1, key, token, String(this.settings.submitLockMs)).catch(() => {});
      },
      Math.max(500, this.settings.submitLockMs / 3),
    );
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await this.redis.eval(UNLOCK_LUA, 1, key, token).catch(() => {});
    }
  }

  /** Retires key `fp` for every worker (the service refused it: 401, 403, arrears), with the reason. */
  async retire(fp: string, reason: string): Promise<void> {
    await this.redis.hset(this.names.key('retired'), fp, reason);
  }

  /** Retired keys and why. */
  async retired(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.names.key('retired'));
  }
}
