/** Seeded fault injection: failed tasks, 500s, slow replies, dropped connections (before/after create). */
import { describe, expect, it } from 'vitest';
import { type EmulatorOptions, startEmulator } from '../src/index.js';
import { MODEL, call, query, submit, waitForStatus } from './helpers/dashscope-http.js';
import { emulatorPerTest, serveSubjectForFile } from './helpers/suite-setup.js';

const subjectUrl = serveSubjectForFile(32, 32);
const start = emulatorPerTest();

const withBase = () => ({ model: MODEL, input: { base_image_url: subjectUrl(), ref_prompt: 'x' } });

async function listStatuses(options: EmulatorOptions, count: number): Promise<number[]> {
  const em = await startEmulator({ queryQps: 1000, ...options });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await call(em, 'GET', '/tasks')).status);
    return statuses;
  } finally {
    await em.close();
  }
}

describe('fault injection', () => {
  it('500 InternalError for a seeded share of requests: same seed → same pattern, other seed → another', async () => {
    const a = await listStatuses({ seed: 42, faults: { serverErrorRate: 0.3 } }, 40);
    const b = await listStatuses({ seed: 42, faults: { serverErrorRate: 0.3 } }, 40);
    const c = await listStatuses({ seed: 43, faults: { serverErrorRate: 0.3 } }, 40);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const errors = a.filter((s) => s === 500).length;
    expect(errors).toBeGreaterThan(3);
    expect(errors).toBeLessThan(25);
    expect(a.every((s) => s === 200 || s === 500)).toBe(true);
  });

  it('a 500 on submit creates no task; the error body has code InternalError and a request_id', async () => {
    const emulator = await start({ faults: { serverErrorRate: 1, routes: ['submit'] } });
    const reply = await submit(emulator, withBase());
    expect(reply.status).toBe(500);
    expect(reply.body.code).toBe('InternalError');
    expect(reply.body.request_id).toBeTruthy();
    expect(emulator.stats().total.tasksCreated).toBe(0);
    expect((await query(emulator, 'x')).status).toBe(200); // other routes untouched
    expect(emulator.stats().total.faults).toEqual({ serverError: 1 });
  });

  it('a 500 on a result URL is OSS-style XML', async () => {
    const emulator = await start({ taskMs: 5, pendingMs: 0, faults: { serverErrorRate: 1, routes: ['result'] } });
    const done = await waitForStatus(emulator, (await submit(emulator, withBase())).body.output.task_id);
    const response = await fetch(done.body.output.results[0].url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('<Code>InternalError</Code>');
  });

  it('taskFailureRate: tasks end FAILED with the configured code and message', async () => {
    const emulator = await start({
      taskMs: 10,
      pendingMs: 0,
      faults: { taskFailureRate: 1, taskFailureCode: 'InternalError.Algo', taskFailureMessage: 'boom' },
    });
    const id = (await submit(emulator, withBase())).body.output.task_id;
    const done = await waitForStatus(emulator, id);
    expect(done.body.output).toMatchObject({ task_status: 'FAILED', code: 'InternalError.Algo', message: 'boom' });
    expect(done.body.output.task_metrics).toEqual({ TOTAL: 1, SUCCEEDED: 0, FAILED: 1 });
    expect(done.body.output.results).toBeUndefined();
    expect(done.body.usage).toBeUndefined();
  });

  it('task failures are seeded by creation order', async () => {
    const outcomes = async (): Promise<string[]> => {
      const em = await start({ taskMs: 5, pendingMs: 0, submitQps: 100, seed: 9, faults: { taskFailureRate: 0.5 } });
      try {
        const ids = [];
        for (let i = 0; i < 8; i++) ids.push((await submit(em, withBase())).body.output.task_id);
        const out = [];
        for (const id of ids) out.push((await waitForStatus(em, id)).body.output.task_status as string);
        return out;
      } finally {
        await em.close();
      }
    };
    const first = await outcomes();
    expect(await outcomes()).toEqual(first);
    expect(first).toContain('FAILED');
    expect(first).toContain('SUCCEEDED');
  });

  it('slow replies are delayed by slowReplyMs', async () => {
    const emulator = await start({ faults: { slowReplyRate: 1, slowReplyMs: 300, routes: ['query'] } });
    const started = Date.now();
    expect((await query(emulator, 'x')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('dropped connection on submit (default): the client sees a network error and no task exists', async () => {
    const emulator = await start({ faults: { dropConnectionRate: 1, routes: ['submit'] } });
    await expect(submit(emulator, withBase())).rejects.toThrow();
    expect(emulator.tasks()).toHaveLength(0);
    expect(emulator.stats().total.tasksCreated).toBe(0);
  });

  it('dropAfterCreate: the client sees a network error but the task was created (no silent resubmit allowed)', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0, faults: { dropConnectionRate: 1, dropAfterCreate: true, routes: ['submit'] } });
    await expect(submit(emulator, withBase())).rejects.toThrow();
    expect(emulator.tasks()).toHaveLength(1);
    expect(emulator.stats().timeline).toHaveLength(1);
    expect(emulator.stats().total.faults).toEqual({ dropConnection: 1 });
  });

  it('rejects impossible fault options', async () => {
    await expect(startEmulator({ faults: { serverErrorRate: 2 } })).rejects.toMatchObject({ code: 'EMULATOR_OPTIONS' });
    await expect(startEmulator({ taskMs: [5, 1] })).rejects.toMatchObject({ code: 'EMULATOR_OPTIONS' });
    await expect(startEmulator({ faults: { routes: ['nope' as never] } })).rejects.toThrow(/faults.routes/);
  });
});
