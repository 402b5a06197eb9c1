import { Redis } from 'ioredis';
import { ClusterConfigError, ClusterError } from './cluster-errors.js';

/**
 * Opens an ioredis connection for `url` (`redis://[:password@]host:port[/db]`). BullMQ needs
 * `maxRetriesPerRequest: null` on the connections its workers block on; the same settings suit ours.
 */
export function openRedis(url: string): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClusterConfigError('INVALID_REDIS_URL', `"${url}" is not a Redis URL; expected e.g. redis://127.0.0.1:6379`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ClusterConfigError('INVALID_REDIS_URL', `"${url}" must start with redis:// or rediss://`);
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  // Connection errors are retried by ioredis (commands wait for the reconnect); without a listener each
  // one would also be printed as an "unhandled error event".
  redis.on('error', () => {});
  return redis;
}

/**
 * Checks that Redis at `url` answers within `timeoutMs` before work starts (a long-lived connection
 * would otherwise wait for it forever); throws `REDIS_UNREACHABLE` with what to do.
 */
export async function checkRedisReachable(url: string, timeoutMs = 5000): Promise<void> {
  const redis = openRedis(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw new ClusterError('REDIS_UNREACHABLE', `cannot reach Redis at ${url} (${(err as Error).message}); start redis-server there or fix --redis`, { cause: err });
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}
