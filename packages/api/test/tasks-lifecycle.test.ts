/** submit / get / wait / cancel / list against the emulator over real HTTP. */
import type { Emulator } from '@backdrop/emulator';
import { emulatorsClosedAfterEach } from './helpers/emulators.js';
import { describe, expect, it } from 'vitest';
import { apiKeyFingerprint } from '../src/api-key.js';
import { DashScope } from '../src/client.js';
import { AuthenticationError, NotFoundError, TaskCanceledError, TaskFailedError, TaskUnknownError, UnsupportedOperationError, WaitTimeoutError } from '../src/errors.js';
import { defaultPollSchedule, sdkPollSchedule } from '../src/poll-schedule.js';
import type { Task, TaskStatus } from '../src/types.js';
import { cutoutPng, imageSize } from './helpers/png.js';

const emulator = emulatorsClosedAfterEach({ taskMs: 300 });
let n = 0;
function client(e: Emulator, extra: ConstructorParameters<typeof DashScope>[0] = {}): { client: DashScope; apiKey: string } {
  const apiKey = `sk-tasks-${process.pid}-${++n}`;
  return { apiKey, client: new DashScope({ apiKey, baseUrl: e.baseUrl, ...extra }) };
}
async function uploadedRequest(c: DashScope) {
  const base = await c.files.upload(cutoutPng());
  return { baseImageUrl: base.url, refPrompt: 'on a marble counter, soft light' };
}

describe('submit, get and wait', () => {
  it('submit returns the task; wait reports each status change and resolves with the typed result', async () => {
    const e = await emulator({ taskMs: 600 });
    const { client: c } = client(e);
    const request = { ...(await uploadedRequest(c)), title: '分享好时光', subTitle: '只为不一样的你', parameters: { n: 2 } };
    const submit = await c.backgroundGeneration.submit(request);
    expect(submit.taskId).toMatch(/\S/);
    expect(submit.requestId).toMatch(/\S/);
    expect(submit.taskStatus).toBe('PENDING');
    const seen: TaskStatus[] = [];
    const task = await c.tasks.wait(submit.taskId, { pollIntervalMs: 50, onStatus: (t) => seen.push(t.taskStatus) });
    expect(seen.at(-1)).toBe('SUCCEEDED');
    expect(seen).toContain('RUNNING');
    expect(new Set(seen).size).toBe(seen.length); // changes only
    expect(task.results).toHaveLength(2);
    expect(task.usage?.imageCount).toBe(2);
    expect(task.submitTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    expect(task.textResults?.params).toHaveLength(2);
    const titleLayer = task.textResults!.params[0].layers.find((l) => l.type === 'text' && l.subType === 'Title');
    expect(titleLayer).toMatchObject({ type: 'text', content: '分享好时光' });
    // Results are real images of the base's resolution.
    const res = await fetch(task.results![0].url!);
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(100);
    expect(imageSize(bytes)).toMatchObject({ width: 64, height: 48 });
    expect((await c.tasks.get(submit.taskId)).taskStatus).toBe('SUCCEEDED');
  });

  it('the default schedule sees a short task end within about a second', async () => {
    const e = await emulator({ taskMs: 1500, pendingMs: 0 });
    const { client: c } = client(e);
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    await c.tasks.wait(submit.taskId);
    const resolvedAt = Date.now();
    const info = e.tasks().find((t) => t.taskId === submit.taskId)!;
    expect(info.endedAt).toBeDefined();
    expect(resolvedAt - info.endedAt!).toBeLessThan(1600); // the SDK schedule (1,1,2,…) can be 2.5 s late here
  });

  it('poll schedules: default 1 s for 20 s then slower to 5 s; SDK 1,1,2,2,2,4,4,4,5; a custom function is used', async () => {
    const t = {} as Task;
    expect([0, 19_999, 20_000, 40_000, 60_000, 600_000].map((elapsedMs) => defaultPollSchedule({ attempt: 1, elapsedMs, task: t }))).toEqual([1000, 1000, 2000, 3000, 5000, 5000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((attempt) => sdkPollSchedule({ attempt, elapsedMs: 0, task: t }))).toEqual([
      1000, 1000, 2000, 2000, 2000, 4000, 4000, 4000, 5000, 5000,
    ]);
    const e = await emulator({ taskMs: 400 });
    const { client: c } = client(e);
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    const calls: { attempt: number; status: TaskStatus }[] = [];
    await c.tasks.wait(submit.taskId, { pollIntervalMs: (ctx) => (calls.push({ attempt: ctx.attempt, status: ctx.task.taskStatus }), 30) });
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.map((x) => x.attempt)).toEqual(calls.map((_, i) => i + 1));
  });

  it('abort stops waiting at once with the signal reason (the task keeps running)', async () => {
    const e = await emulator({ taskMs: 5000 });
    const { client: c } = client(e);
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 300);
    const started = Date.now();
    await expect(c.tasks.wait(submit.taskId, { signal: controller.signal })).rejects.toThrow('user pressed Ctrl-C');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(['PENDING', 'RUNNING']).toContain((await c.tasks.get(submit.taskId)).taskStatus);
  });

  it('timeout gives a WaitTimeoutError with the last status', async () => {
    const e = await emulator({ taskMs: 5000 });
    const { client: c } = client(e);
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    const started = Date.now();
    const err = await c.tasks.wait(submit.taskId, { timeoutMs: 700, pollIntervalMs: 100 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err).toMatchObject({ code: 'WaitTimeout', taskId: submit.taskId, retryable: true });
    expect(['PENDING', 'RUNNING']).toContain((err as WaitTimeoutError).lastStatus);
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a FAILED task rejects with TaskFailedError carrying its code and message (or is returned with throwOnFailure: false)', async () => {
    const e = await emulator({ faults: { taskFailureRate: 1, taskFailureCode: 'InternalError.Algo', taskFailureMessage: 'algo broke' } });
    const { client: c } = client(e);
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    const err = await c.tasks.wait(submit.taskId, { pollIntervalMs: 50 }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err).toMatchObject({ code: 'TaskFailed', taskCode: 'InternalError.Algo', taskMessage: 'algo broke', taskId: submit.taskId, taskStatus: 'FAILED' });
    expect((err as Error).message).toContain('InternalError.Algo');
    const task = await c.tasks.wait(submit.taskId, { throwOnFailure: false });
    expect(task).toMatchObject({ taskStatus: 'FAILED', code: 'InternalError.Algo', message: 'algo broke' });
  });

  it('an unknown or expired task: status UNKNOWN from get, TaskUnknownError from wait', async () => {
    const e = await emulator({ timeScale: 1e-5 });
    const { client: c } = client(e);
    expect((await c.tasks.get('no-such-task')).taskStatus).toBe('UNKNOWN');
    await expect(c.tasks.wait('no-such-task')).rejects.toBeInstanceOf(TaskUnknownError);
    // A finished task expires (24 h × timeScale = 0.864 s here).
    const submit = await c.backgroundGeneration.submit(await uploadedRequest(c));
    await c.tasks.wait(submit.taskId, { pollIntervalMs: 50 });
    e.advanceClock(25 * 3600_000);
    const err = await c.tasks.wait(submit.taskId).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TaskUnknownError);
    expect(err).toMatchObject({ code: 'TaskUnknown', taskId: submit.taskId });
  });

  it('a bad key is an AuthenticationError; an unknown model a NotFoundError', async () => {
    const e = await emulator({ apiKeys: ['sk-the-good-one'] });
    const bad = new DashScope({ apiKey: 'sk-wrong', baseUrl: e.baseUrl, maxRetries: 0 });
    const err = await bad.tasks.get('x').catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: 'InvalidApiKey', status: 401, userError: true });
    const good = new DashScope({ apiKey: 'sk-the-good-one', baseUrl: e.baseUrl });
    const req = await uploadedRequest(good);
    const err2 = await good.backgroundGeneration.submit({ ...req, model: 'wanx-nonexistent' }).catch((x: unknown) => x);
    expect(err2).toBeInstanceOf(NotFoundError);
    expect(err2).toMatchObject({ code: 'ModelNotFound', mayHaveCreatedTask: false });
  });
});

describe('cancel and list', () => {
  it('cancels a PENDING task; cancelling a running or finished task is UnsupportedOperation', async () => {
    const e = await emulator({ taskMs: 1500, concurrencyPolicy: 'queue' });
    const { client: c } = client(e);
    const req = await uploadedRequest(c);
    const first = await c.backgroundGeneration.submit(req);
    const second = await c.backgroundGeneration.submit(req);
    await new Promise((r) => setTimeout(r, 50)); // the first task leaves the queue; the second stays PENDING behind it
    expect((await c.tasks.get(second.taskId)).taskStatus).toBe('PENDING');
    const canceled = await c.tasks.cancel(second.taskId);
    expect(canceled.taskId).toBe(second.taskId);
    expect((await c.tasks.get(second.taskId)).taskStatus).toBe('CANCELED');
    await expect(c.tasks.wait(second.taskId)).rejects.toBeInstanceOf(TaskCanceledError);

    // The first one is running by now.
    let status: TaskStatus = 'PENDING';
    while (status === 'PENDING') status = (await c.tasks.get(first.taskId)).taskStatus;
    expect(status).toBe('RUNNING');
    const running = await c.tasks.cancel(first.taskId).catch((x: unknown) => x);
    expect(running).toBeInstanceOf(UnsupportedOperationError);
    await c.tasks.wait(first.taskId, { pollIntervalMs: 50 });
    const finished = await c.tasks.cancel(first.taskId).catch((x: unknown) => x);
    expect(finished).toBeInstanceOf(UnsupportedOperationError);
    expect(finished).toMatchObject({ code: 'UnsupportedOperation', status: 400, userError: true, operation: 'tasks.cancel' });
  });

  it('lists the account’s tasks with paging and filters', async () => {
    const e = await emulator({ taskMs: 100, submitQps: 10 });
    const { client: c } = client(e);
    const req = await uploadedRequest(c);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await c.backgroundGeneration.submit(req)).taskId);
    for (const id of ids) await c.tasks.wait(id, { pollIntervalMs: 50 });
    const all = await c.tasks.list({ pageSize: 10 });
    expect(all.total).toBe(3);
    expect(all.data.map((d) => d.taskId).sort()).toEqual([...ids].sort());
    for (const item of all.data) {
      expect(item.status).toBe('SUCCEEDED');
      expect(typeof item.gmtCreate).toBe('number');
      expect(item.modelName).toBe('wanx-background-generation-v2');
    }
    const page = await c.tasks.list({ pageNo: 2, pageSize: 2 });
    expect(page).toMatchObject({ pageNo: 2, pageSize: 2, total: 3, totalPage: 2 });
    expect(page.data).toHaveLength(1);
    const filtered = await c.tasks.list({ status: 'FAILED', startTime: new Date(Date.now() - 3600_000), endTime: new Date(Date.now() + 3600_000) });
    expect(filtered.total).toBe(0);
    // Another key sees none of them.
    const other = client(e).client;
    expect((await other.tasks.list()).total).toBe(0);
  });
});

describe('faults injected by the emulator', () => {
  it('a submit whose connection drops after the task was created: surfaced, mayHaveCreatedTask, never resubmitted', async () => {
    const e = await emulator({ faults: { dropConnectionRate: 1, dropAfterCreate: true, routes: ['submit'] } });
    const { client: c, apiKey } = client(e, { maxRetries: 3 });
    const req = await uploadedRequest(c);
    const err = await c.backgroundGeneration.submit(req).catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'Connection', mayHaveCreatedTask: true, operation: 'submit' });
    await new Promise((r) => setTimeout(r, 200));
    const stats = e.stats().keys[apiKeyFingerprint(apiKey)];
    expect(stats.submitRequests).toBe(1);
    expect(stats.tasksCreated).toBe(1); // the task the client could not see exists
  });

  it('a 500 on submit is not retried and flagged; 500s on queries are retried', async () => {
    const e = await emulator({ faults: { serverErrorRate: 1, routes: ['submit'] } });
    const { client: c, apiKey } = client(e, { maxRetries: 3 });
    const err = await c.backgroundGeneration.submit(await uploadedRequest(c)).catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'InternalError', status: 500, mayHaveCreatedTask: true });
    expect(e.stats().total.faults.serverError).toBe(1); // one submit request reached the server
    expect(e.stats().keys[apiKeyFingerprint(apiKey)]?.tasksCreated ?? 0).toBe(0);

    const e2 = await emulator({ faults: { serverErrorRate: 0.5, routes: ['query'] }, seed: 3 });
    const { client: c2 } = client(e2, { maxRetries: 6, backoff: { baseDelayMs: 10, maxDelayMs: 20 } });
    const submit = await c2.backgroundGeneration.submit(await uploadedRequest(c2));
    expect((await c2.tasks.wait(submit.taskId, { pollIntervalMs: 50 })).taskStatus).toBe('SUCCEEDED');
    expect(e2.stats().total.faults.serverError ?? 0).toBeGreaterThan(0);
  });
});
