/** Account limits per key: 2 submits per sliding second, 1 running task (queue or reject), 20 queries/s. */
import { describe, expect, it } from 'vitest';
import { MODEL, call, query, sleep, submit, waitForStatus } from './helpers/dashscope-http.js';
import { emulatorPerTest, serveSubjectForFile } from './helpers/suite-setup.js';

const subjectUrl = serveSubjectForFile(48, 32);
const start = emulatorPerTest();

const body = (prompt = 'a table') => ({ model: MODEL, input: { base_image_url: subjectUrl(), ref_prompt: prompt } });

describe('submit rate: 2 per sliding second per key', () => {
  it('3 quick submits → one is 429 Throttling.RateQuota and creates no task; another key is not affected', async () => {
    const emulator = await start({ taskMs: 20, pendingMs: 0 });
    // Sent together so they arrive within the same second even on a loaded machine.
    const replies = await Promise.all([submit(emulator, body()), submit(emulator, body()), submit(emulator, body())]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    const throttled = replies.find((r) => r.status === 429)!;
    expect(throttled.body).toMatchObject({
      code: 'Throttling.RateQuota',
      message: 'Requests rate limit exceeded, please try again later.',
    });
    expect(throttled.body.request_id).toBeTruthy();
    expect(emulator.stats().total.tasksCreated).toBe(2);
    expect((await submit(emulator, body(), { key: 'other-key' })).status).toBe(200);
    const stats = emulator.stats();
    expect(stats.total.throttled).toEqual({ 'Throttling.RateQuota': 1 });
    expect(stats.total.peakSubmitsPerSecond).toBeGreaterThanOrEqual(3);
    expect(stats.total.peakTasksCreatedPerSecond).toBeLessThanOrEqual(3);
  });

  it('the window slides: after a second the key may submit again', async () => {
    const emulator = await start({ taskMs: 20, pendingMs: 0 });
    const burst = await Promise.all([submit(emulator, body()), submit(emulator, body()), submit(emulator, body())]);
    expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 429]);
    await sleep(1050);
    expect((await submit(emulator, body())).status).toBe(200);
  });
});

describe('running slots', () => {
  it('queue (default): one RUNNING at a time, the rest PENDING and started FIFO', async () => {
    const emulator = await start({ taskMs: 700, pendingMs: 0, submitQps: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(emulator, body(`p${i}`))).body.output.task_id);
    // The third cannot start before the first two have run 700 ms each.
    const pending = (await query(emulator, ids[2])).body.output;
    expect(pending.task_status).toBe('PENDING');
    expect(pending.scheduled_time).toBeUndefined(); // not scheduled while it waits for the slot
    for (const id of ids) await waitForStatus(emulator, id);
    const timeline = emulator.stats().timeline;
    expect(timeline.map((t) => t.taskId)).toEqual(ids);
    for (let i = 1; i < timeline.length; i++) {
      expect(timeline[i].startedAt!).toBeGreaterThanOrEqual(timeline[i - 1].endedAt!); // FIFO, never overlapping
    }
    expect(emulator.stats().total.peakRunning).toBe(1);
  });

  it('reject: a submit while a task is unfinished → 429 Throttling.AllocationQuota, no task; accepted again once it ends', async () => {
    const emulator = await start({ taskMs: 1500, pendingMs: 0, submitQps: 100, concurrencyPolicy: 'reject' });
    const first = await submit(emulator, body());
    expect(first.status).toBe(200);
    const second = await submit(emulator, body());
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('Throttling.AllocationQuota');
    expect(emulator.stats().total.tasksCreated).toBe(1);
    await waitForStatus(emulator, first.body.output.task_id);
    expect((await submit(emulator, body())).status).toBe(200);
    expect(emulator.stats().total.throttled).toEqual({ 'Throttling.AllocationQuota': 1 });
  });

  it('maxRunning: 2 lets two tasks of a key run at once', async () => {
    const emulator = await start({ taskMs: 1000, pendingMs: 0, submitQps: 100, maxRunning: 2 });
    const a = (await submit(emulator, body('a'))).body.output.task_id;
    const b = (await submit(emulator, body('b'))).body.output.task_id;
    expect((await query(emulator, b)).body.output.task_status).toBe('RUNNING'); // not queued behind a
    await waitForStatus(emulator, a);
    await waitForStatus(emulator, b);
    expect(emulator.stats().total.peakRunning).toBe(2);
  });
});

describe('query rate: 20 per sliding second per key', () => {
  it('the 21st query within a second → 429 Throttling.RateQuota', async () => {
    const emulator = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await query(emulator, 'some-task')).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses[20]).toBe(429);
    const list = await call(emulator, 'GET', '/tasks');
    expect(list.status).toBe(429);
    expect(list.body.code).toBe('Throttling.RateQuota');
    expect((await query(emulator, 'some-task', 'other-key')).status).toBe(200);
    expect(emulator.stats().total.peakQueriesPerSecond).toBeGreaterThanOrEqual(22);
  });
});
