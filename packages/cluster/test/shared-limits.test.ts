/**
 * The limits every worker shares, against a real Redis: several processes' worth of connections
 * competing for one key's submit window, slots and retirements.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueNames } from '../src/queue-names.js';
import { SharedLimits } from '../src/shared-limits.js';
import { RedisServer, redisUnavailableReason } from './helpers/redis-server.js';

const skipReason = redisUnavailableReason();
if (skipReason) console.log(`shared limits tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('shared limits in Redis', () => {
  let server: RedisServer;
  const connections: Redis[] = [];
  let n = 0;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    await server?.stop();
  });

  /** `count` independent limiters (one connection each, as separate workers have) on one fresh queue. */
  function limiters(count: number): SharedLimits[] {
    const names = queueNames(`limits-${n++}`);
    return Array.from({ length: count }, () => {
      const c = new Redis(server.url);
      connections.push(c);
      return new SharedLimits(c, names);
    });
  }

  it('submit grants of one key from three competing clients: never more than 2 in any 1.1 s', async () => {
    const [a, b, c] = limiters(3);
    const stamps: number[] = [];
    await Promise.all(
      [a, b, c].map(async (l) => {
        for (let i = 0; i < 3; i++) {
          const grant = await l.acquireSubmit('key_a');
          stamps.push(grant.at);
          await l.settleSubmit('key_a', grant);
        }
      }),
    );
    stamps.sort((x, y) => x - y);
    expect(stamps).toHaveLength(9);
    // On Redis's clock, any three consecutive grants span more than the window (1000 ms + 100 ms margin).
    for (let i = 2; i < stamps.length; i++) expect(stamps[i] - stamps[i - 2]).toBeGreaterThan(1100);
  });

  it('another key is not held back by a busy one', async () => {
    const [a] = limiters(1);
    const first = await a.acquireSubmit('key_busy');
    await a.acquireSubmit('key_busy');
    // Granted at once, although key_busy has no room for another 1.1 s.
    const other = await a.acquireSubmit('key_free');
    expect(other.at - first.at).toBeLessThan(1100);
  });

  it('slots: 1 running + 1 ahead per key across clients, renewable by their holder, freed on release', async () => {
    const [a, b] = limiters(2);
    expect(await a.claimSlot('key_s', 'job-1')).toBe(true);
    expect(await b.claimSlot('key_s', 'job-2')).toBe(true);
    expect(await b.claimSlot('key_s', 'job-3')).toBe(false);
    expect(await a.claimSlot('key_s', 'job-1')).toBe(true); // renewal by the holder
    expect(await b.slotLoad('key_s')).toBe(2);
    await a.releaseSlot('key_s', 'job-1');
    expect(await b.claimSlot('key_s', 'job-3')).toBe(true);
    // Once the service refuses a second task, there is no queue-ahead for anyone.
    await a.learnRefuses('key_s');
    await b.releaseSlot('key_s', 'job-2');
    expect(await a.claimSlot('key_s', 'job-4')).toBe(false);
  });

  it('a pause after a 429 holds every client back; a retired key is retired for all', async () => {
    const [a, b] = limiters(2);
    const before = await a.acquireQuery('key_p');
    await a.pause('key_p', 'submit', 800);
    const after = await b.acquireSubmit('key_p');
    expect(after.at - before.at).toBeGreaterThanOrEqual(800);
    await a.retire('key_r', 'InvalidApiKey: 401');
    expect(await b.retired()).toEqual({ key_r: 'InvalidApiKey: 401' });
  });
});
