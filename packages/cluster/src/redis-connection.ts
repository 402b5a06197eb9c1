import { Redis } from 'ioredis';
import { ClusterConfigError } from './cluster-errors.js';

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
