/** The lane's building blocks on a driven clock: the sliding window and the slot / polling policy. */
import { describe, expect, it } from 'vitest';
import { Lane } from '../src/throttle/lane.js';
import { SlidingWindow } from '../src/throttle/sliding-window.js';
import { ManualClock, settle } from './helpers/manual-clock.js';

/** Starts `n` acquires and records the clock time each is granted at. */
function grantTimes(w: SlidingWindow, clock: ManualClock, n: number): { stamps: number[]; all: Promise<unknown> } {
  const stamps: number[] = [];
  const all = Promise.all(
    Array.from({ length: n }, () =>
      w.acquire().then((release) => {
        stamps.push(clock.now());
        release();
      }),
    ),
  );
  return { stamps, all };
}

describe('sliding window', () => {
  it('grants at most `limit` in any window, FIFO, each as soon as the window has room', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const w = new SlidingWindow(2, 300, 0, clock);
    const { stamps, all } = grantTimes(w, clock, 6);
    await settle();
    expect(stamps).toEqual([t0, t0]); // two at once, the rest wait
    await clock.advance(300);
    expect(stamps).toHaveLength(2); // the first two are still inside the window
    await clock.advance(1);
    expect(stamps).toEqual([t0, t0, t0 + 301, t0 + 301]);
    await clock.advance(1000);
    await all;
    expect(stamps).toEqual([t0, t0, t0 + 301, t0 + 301, t0 + 602, t0 + 602]);
    for (let i = 2; i < stamps.length; i++) expect(stamps[i] - stamps[i - 2]).toBeGreaterThanOrEqual(300);
    expect(w.recent(t0 + 602)).toBe(2);
    expect(w.recent()).toBe(0); // the window has moved past them all
  });

  it("holds a request's place from its grant until one window after its reply", async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const w = new SlidingWindow(2, 1000, 0, clock);
    const first = await w.acquire();
    const second = await w.acquire();
    let third: number | undefined;
    const p = w.acquire().then((release) => {
      third = clock.now();
      release();
    });
    await clock.advance(1500); // both still in flight (a slow reply): no place frees, however long
    expect(third).toBeUndefined();
    first(); // its reply came at t0 + 1500: it counts until t0 + 2500
    second();
    await clock.advance(1000);
    expect(third).toBeUndefined();
    await clock.advance(1);
    await p;
    expect(third).toBe(t0 + 2501);
  });

  it('spaces grants when asked', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const spaced = new SlidingWindow(5, 500, 100, clock);
    const { stamps, all } = grantTimes(spaced, clock, 4);
    await clock.advance(1000);
    await all;
    expect(stamps).toEqual([t0, t0 + 100, t0 + 200, t0 + 300]);
  });

  it('holds every grant back until pauseUntil', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const w = new SlidingWindow(10, 1000, 0, clock);
    w.pauseUntil(t0 + 200);
    let granted: number | undefined;
    const p = w.acquire().then(() => (granted = clock.now()));
    await clock.advance(199);
    expect(granted).toBeUndefined();
    await clock.advance(1);
    await p;
    expect(granted).toBe(t0 + 200);
  });

  it('gives up a wait when its signal aborts', async () => {
    const clock = new ManualClock();
    const w = new SlidingWindow(1, 1000, 0, clock);
    await w.acquire();
    const ac = new AbortController();
    const waiting = w.acquire(ac.signal);
    await settle();
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('lane', () => {
  const limits = { maxQps: 2, maxRunning: 1, maxQueriesPerSecond: 18, safetyMarginMs: 100, queueAhead: 1 };

  it('submits one task ahead while the service queues, none once it refuses', async () => {
    const clock = new ManualClock();
    const lane = new Lane(0, 'key_x', limits, clock);
    expect(lane.capacity()).toBe(2);
    await lane.reserve();
    lane.commit({ taskId: 'a', itemId: 'a', submittedAt: clock.now() }, 'PENDING');
    await lane.reserve();
    lane.learnRefuses();
    lane.unreserve();
    expect(lane.capacity()).toBe(1);
    let third = false;
    const waiting = lane.reserve().then(() => (third = true));
    await clock.advance(5000);
    expect(third).toBe(false);
    lane.finish('a');
    await waiting;
    expect(third).toBe(true);
  });

  it('spaces its queries over the window by the driven clock', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const lane = new Lane(0, 'key_q', { ...limits, maxQueriesPerSecond: 4 }, clock);
    const { stamps, all } = grantTimes(lane.queries, clock, 5);
    await clock.advance(2000);
    await all;
    // 4 per 1100 ms window, spread 275 ms apart; the fifth waits for the first to leave the window.
    expect(stamps).toEqual([t0, t0 + 275, t0 + 550, t0 + 825, t0 + 1101]);
  });

  it('polls slowly early in a task and fast once it is due to end, after learning durations', () => {
    const clock = new ManualClock();
    const lane = new Lane(0, 'key_y', limits, clock);
    const t0 = clock.now();
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
