/** The lane's building blocks in real time: the sliding window and the slot / polling policy. */
import { describe, expect, it } from 'vitest';
import { Lane } from '../src/throttle/lane.js';
import { SlidingWindow } from '../src/throttle/sliding-window.js';

describe('sliding window', () => {
  it('grants at most `limit` in any window, FIFO, and spaces grants when asked', async () => {
    const w = new SlidingWindow(2, 300);
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => w.acquire().then(() => stamps.push(Date.now()))));
    for (let i = 2; i < stamps.length; i++) expect(stamps[i] - stamps[i - 2]).toBeGreaterThanOrEqual(300);
    expect(stamps[5] - stamps[0]).toBeLessThan(1200);

    const spaced = new SlidingWindow(5, 500, 100);
    const s2: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => spaced.acquire().then(() => s2.push(Date.now()))));
    for (let i = 1; i < s2.length; i++) expect(s2[i] - s2[i - 1]).toBeGreaterThanOrEqual(99);
  });

  it('holds every grant back after pauseUntil', async () => {
    const w = new SlidingWindow(10, 1000);
    const t0 = Date.now();
    w.pauseUntil(t0 + 200);
    await w.acquire();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(195);
  });
});

describe('lane', () => {
  const limits = { maxQps: 2, maxRunning: 1, maxQueriesPerSecond: 18, safetyMarginMs: 100, queueAhead: 1 };

  it('submits one task ahead while the service queues, none once it refuses', async () => {
    const lane = new Lane(0, 'key_x', limits);
    expect(lane.capacity()).toBe(2);
    await lane.reserve();
    lane.commit({ taskId: 'a', itemId: 'a', submittedAt: Date.now() }, 'PENDING');
    await lane.reserve();
    lane.learnRefuses();
    lane.unreserve();
    expect(lane.capacity()).toBe(1);
    let third = false;
    const waiting = lane.reserve().then(() => (third = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(third).toBe(false);
    lane.finish('a');
    await waiting;
    expect(third).toBe(true);
  });

  it('polls slowly early in a task and fast once it is due to end, after learning durations', () => {
    const lane = new Lane(0, 'key_y', limits);
    const t0 = 1_000_000;
    const first = lane.commit({ taskId: 'a', itemId: 'a', submittedAt: t0 }, 'RUNNING');
    expect(lane.nextPollDelay(first, t0 + 10)).toBe(0); // nothing learned yet: as fast as the budget allows
    lane.finish('a', t0 + 2000);
    expect(lane.shortestDuration()).toBe(2000);
    const second = lane.commit({ taskId: 'b', itemId: 'b', submittedAt: t0 + 3000 }, 'RUNNING');
    second.status = 'RUNNING';
    expect(lane.nextPollDelay(second, t0 + 3010)).toBeGreaterThan(1000);
    expect(lane.nextPollDelay(second, t0 + 3000 + 1900)).toBe(0);
    expect(lane.nextPollDelay(second, t0 + 3010, false)).toBe(300); // nobody waits for the slot
  });
});
