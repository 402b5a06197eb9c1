import type { ItemStage } from './item-records.js';
import { queueNames } from './queue-names.js';
import { checkRedisReachable, openRedis } from './redis-connection.js';

/** Options of {@link queueStatus}. */
export interface QueueStatusOptions {
  redis: string;
  /** Queue name (default `backdrop`). */
  queue?: string;
  /** Window for throughput, ms (default 5 minutes). */
  throughputWindowMs?: number;
}

/** One key's share of the work. */
export interface KeyStatus {
  /** Items this key has completed. */
  done: number;
  /** Items per minute over the throughput window. */
  itemsPerMinute: number;
  /** Slots held now (running or queued at the service, or about to be). */
  slotsHeld: number;
  /** Why the key was retired for every worker, when it was. */
  retired?: string;
}

/** Where a queue stands. */
export interface QueueStatus {
  total: number;
  /** Queued for HED/checks, or prepared and waiting for a key's slot. */
  waiting: number;
  /** In the prepare stage (HED) now. */
  preparing: number;
  /** Being submitted, at the service, or downloading. */
  atService: number;
  done: number;
  failed: number;
  failures: { id: string; code: string; message: string }[];
  /** Per key fingerprint. */
  keys: Record<string, KeyStatus>;
  /** Items per minute over all keys (throughput window). */
  itemsPerMinute: number;
  /** Seconds until everything is done at the current throughput; null when unknown. */
  etaSeconds: number | null;
  /** True when nothing is left to do (and something was queued). */
  finished: boolean;
}

const WAITING: ItemStage[] = ['queued', 'prepared', 'waiting-slot'];
const AT_SERVICE: ItemStage[] = ['submitting', 'at-service', 'downloading'];

/** Counts the queue's items by stage, with failures and their reasons, throughput per key and an ETA. */
export async function queueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  const names = queueNames(options.queue);
  await checkRedisReachable(options.redis);
  const redis = openRedis(options.redis);
  try {
    const stages = Object.values(await redis.hgetall(names.key('stages'))) as ItemStage[];
    const count = (list: ItemStage[]): number => stages.filter((s) => list.includes(s)).length;
    const failuresRaw = await redis.hgetall(names.key('failures'));
    const failures = Object.values(failuresRaw)
      .map((v) => JSON.parse(v) as { id: string; code: string; message: string })
      .sort((a, b) => a.id.localeCompare(b.id));
    const [sec] = await redis.time();
    const now = Number(sec) * 1000;
    const windowMs = options.throughputWindowMs ?? 5 * 60_000;
    const retired = await redis.hgetall(names.key('retired'));
    const keys: Record<string, KeyStatus> = {};
    let perMinute = 0;
    for (const fp of (await redis.smembers(names.key('lanes'))).sort()) {
      const done = await redis.zcard(names.key(`completed:${fp}`));
      const recent = await redis.zrangebyscore(names.key(`completed:${fp}`), now - windowMs, '+inf', 'WITHSCORES');
      const stamps = recent.filter((_, i) => i % 2 === 1).map(Number);
      // Over the window, or since the first completion in it when the run is younger than the window.
      const span = stamps.length > 1 ? Math.max(now - Math.min(...stamps), 1000) : windowMs;
      const rate = stamps.length > 0 ? (stamps.length / span) * 60_000 : 0;
      perMinute += rate;
      const slotsHeld = await redis.zcount(names.key(`slots:${fp}`), `(${now}`, '+inf');
      keys[fp] = { done, itemsPerMinute: round(rate), slotsHeld, ...(retired[fp] ? { retired: retired[fp] } : {}) };
    }
    const waiting = count(WAITING);
    const preparing = count(['preparing']);
    const atService = count(AT_SERVICE);
    const remaining = waiting + preparing + atService;
    return {
      total: stages.length,
      waiting,
      preparing,
      atService,
      done: count(['done']),
      failed: count(['failed']),
      failures,
      keys,
      itemsPerMinute: round(perMinute),
      etaSeconds: remaining === 0 ? 0 : perMinute > 0 ? Math.round((remaining / perMinute) * 60) : null,
      finished: stages.length > 0 && remaining === 0,
    };
  } finally {
    redis.disconnect();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The status as a few lines for people. */
export function formatQueueStatus(s: QueueStatus): string {
  const lines = [
    `${s.total} items: ${s.waiting} waiting, ${s.preparing} preparing, ${s.atService} at the service, ${s.done} done, ${s.failed} failed`,
    `throughput ${s.itemsPerMinute} items/min; ETA ${s.etaSeconds === null ? 'unknown' : `${s.etaSeconds} s`}`,
  ];
  for (const [fp, k] of Object.entries(s.keys)) {
    lines.push(`  key ${fp}: ${k.done} done, ${k.itemsPerMinute} items/min, ${k.slotsHeld} slot(s) held${k.retired ? `, RETIRED (${k.retired})` : ''}`);
  }
  for (const f of s.failures) lines.push(`  failed ${f.id}: [${f.code}] ${f.message}`);
  return lines.join('\n');
}
