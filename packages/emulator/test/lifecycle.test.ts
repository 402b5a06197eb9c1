/** Task lifecycle: timing, cancel, list filters, and expiry of tasks, result URLs and uploads (timeScale). */
import { describe, expect, it } from 'vitest';
import { MODEL, call, download, query, sleep, submit, waitForStatus } from './helpers/dashscope-http.js';
import { emulatorPerTest, serveSubjectForFile } from './helpers/suite-setup.js';

const subjectUrl = serveSubjectForFile(48, 32);
const start = emulatorPerTest();

const body = (prompt = 'a table', n = 1) => ({ model: MODEL, input: { base_image_url: subjectUrl(), ref_prompt: prompt }, parameters: { n } });

describe('lifecycle', () => {
  it('PENDING → RUNNING → SUCCEEDED, RUNNING for about taskMs', async () => {
    const emulator = await start({ taskMs: 400, pendingMs: 300 });
    const id = (await submit(emulator, body())).body.output.task_id;
    const seen = new Set<string>();
    const started = Date.now();
    for (;;) {
      const status = (await query(emulator, id)).body.output.task_status;
      seen.add(status);
      if (status === 'SUCCEEDED') break;
      if (Date.now() - started > 10_000) throw new Error('task never finished');
      await sleep(40);
    }
    expect([...seen]).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    const [entry] = emulator.stats().timeline;
    expect(entry.startedAt! - entry.submittedAt).toBeGreaterThanOrEqual(295);
    expect(entry.endedAt! - entry.startedAt!).toBeGreaterThanOrEqual(395);
    expect(entry.endedAt! - entry.startedAt!).toBeLessThan(5000);
  });

  it('taskMs ranges are drawn per task from the seed: same seed → same run times, and tasks run at least that long', async () => {
    const runTimes = async (seed: number): Promise<number[]> => {
      const em = await start({ taskMs: [50, 400], pendingMs: 0, seed, submitQps: 100 });
      try {
        const ids = [];
        for (let i = 0; i < 3; i++) ids.push((await submit(em, body(`x${i}`))).body.output.task_id);
        for (const id of ids) await waitForStatus(em, id);
        const tasks = em.tasks();
        for (const t of tasks) expect(t.endedAt! - t.startedAt!).toBeGreaterThanOrEqual(Math.floor(t.plannedRunMs) - 1);
        return ids.map((id) => tasks.find((t) => t.taskId === id)!.plannedRunMs);
      } finally {
        await em.close();
      }
    };
    const a = await runTimes(11);
    expect(await runTimes(11)).toEqual(a);
    expect(await runTimes(12)).not.toEqual(a);
    expect(a.every((ms) => ms >= 50 && ms <= 400)).toBe(true);
    expect(new Set(a).size).toBe(3); // drawn, not fixed
  });

  it('cancel: PENDING → CANCELED; RUNNING → 400 UnsupportedOperation; unknown → 400', async () => {
    const emulator = await start({ taskMs: 1500, pendingMs: 0, submitQps: 100 });
    const running = (await submit(emulator, body('a'))).body.output.task_id;
    const pending = (await submit(emulator, body('b'))).body.output.task_id;
    await waitForStatus(emulator, running, ['RUNNING'], { everyMs: 60 });
    const ok = await call(emulator, 'POST', `/tasks/${pending}/cancel`);
    expect(ok.status).toBe(200);
    expect(ok.body.request_id).toBeTruthy();
    const canceled = (await query(emulator, pending)).body.output;
    expect(canceled.task_status).toBe('CANCELED');
    expect(canceled.end_time).toBeTruthy();
    const refused = await call(emulator, 'POST', `/tasks/${running}/cancel`);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('UnsupportedOperation');
    expect((await call(emulator, 'POST', '/tasks/no-such-task/cancel')).status).toBe(400);
    await waitForStatus(emulator, running);
    expect(emulator.stats().total.tasksByStatus).toMatchObject({ SUCCEEDED: 1, CANCELED: 1, PENDING: 0, RUNNING: 0 });
  });

  it('a task is visible only to its own key (others get UNKNOWN)', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0 });
    const id = (await submit(emulator, body(), { key: 'owner' })).body.output.task_id;
    await waitForStatus(emulator, id, undefined, { key: 'owner' });
    expect((await query(emulator, id, 'stranger')).body.output.task_status).toBe('UNKNOWN');
  });

  it('list: status, page_size/page_no, time window and model filters; bad parameters → 400', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0, submitQps: 100, queryQps: 1000 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit(emulator, body(`t${i}`))).body.output.task_id);
    for (const id of ids) await waitForStatus(emulator, id);
    const page1 = await call(emulator, 'GET', '/tasks?page_no=1&page_size=2');
    expect(page1.body).toMatchObject({ total: 3, total_page: 2, page_no: 1, page_size: 2 });
    expect(page1.body.data.map((d: { task_id: string }) => d.task_id)).toEqual([ids[2], ids[1]]); // newest first
    const page2 = await call(emulator, 'GET', '/tasks?page_no=2&page_size=2');
    expect(page2.body.data.map((d: { task_id: string }) => d.task_id)).toEqual([ids[0]]);
    expect((await call(emulator, 'GET', '/tasks?status=FAILED')).body.total).toBe(0);
    expect((await call(emulator, 'GET', '/tasks?status=SUCCEEDED')).body.total).toBe(3);
    expect((await call(emulator, 'GET', `/tasks?model_name=${MODEL}`)).body.total).toBe(3);
    expect((await call(emulator, 'GET', '/tasks?model_name=other')).body.total).toBe(0);
    expect((await call(emulator, 'GET', '/tasks?start_time=20990101000000')).body.total).toBe(0);
    expect((await call(emulator, 'GET', '/tasks?start_time=20200101000000&end_time=20990101000000')).body.total).toBe(3);
    // Whole seconds in service time (UTC+8): a window of exactly the first task's second contains it.
    const first = emulator.tasks().find((t) => t.taskId === ids[0])!;
    const second = new Date(first.submittedAt + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const window = await call(emulator, 'GET', `/tasks?start_time=${second}&end_time=${second}`);
    expect(window.body.data.map((d: { task_id: string }) => d.task_id)).toContain(ids[0]);
    for (const bad of ['page_size=0', 'page_no=x', 'start_time=2024-01-01', 'status=DONE']) {
      const reply = await call(emulator, 'GET', `/tasks?${bad}`);
      expect(reply.status, bad).toBe(400);
      expect(reply.body.code).toBe('InvalidParameter');
    }
  });
});

describe('expiry (timeScale)', () => {
  it('finished tasks answer UNKNOWN and result URLs 403 after 24 h × timeScale', async () => {
    // 24 h × 1e-5 = 864 ms.
    const emulator = await start({ taskMs: 10, pendingMs: 0, timeScale: 1e-5 });
    const id = (await submit(emulator, body())).body.output.task_id;
    const done = await waitForStatus(emulator, id);
    const url: string = done.body.output.results[0].url;
    expect((await download(url)).status).toBe(200);
    await sleep(1100);
    expect((await query(emulator, id)).body.output).toEqual({ task_id: id, task_status: 'UNKNOWN' });
    const expired = await download(url);
    expect(expired.status).toBe(403);
    expect(expired.bytes.toString()).toContain('<Code>AccessDenied</Code>');
    expect((await download(`${emulator.origin}/dashscope-result/never/existed.jpg`)).status).toBe(404);
    expect(emulator.tasks()).toHaveLength(0); // dropped by the sweep, images too
  });

  it('advanceClock() expires without waiting (24 h later)', async () => {
    const emulator = await start({ taskMs: 10, pendingMs: 0 });
    const id = (await submit(emulator, body())).body.output.task_id;
    const done = await waitForStatus(emulator, id);
    emulator.advanceClock(23 * 3600_000);
    expect((await query(emulator, id)).body.output.task_status).toBe('SUCCEEDED');
    emulator.advanceClock(3600_000 + 1000);
    expect((await query(emulator, id)).body.output.task_status).toBe('UNKNOWN');
    expect((await download(done.body.output.results[0].url)).status).toBe(403);
  });

  it('past maxResultMemoryMb the oldest images are dropped early (403) and a warning is logged', async () => {
    const warnings: string[] = [];
    const emulator = await start({ taskMs: 10, pendingMs: 0, maxResultMemoryMb: 1e-6, logger: { warn: (m) => warnings.push(m) } });
    const done = await waitForStatus(emulator, (await submit(emulator, body('memory', 2))).body.output.task_id);
    const [first, second] = done.body.output.results.map((r: { url: string }) => r.url);
    expect((await download(first)).status).toBe(403);
    expect((await download(second)).status).toBe(200); // the newest image is always kept
    expect(warnings.join('\n')).toContain('dropped the 1 oldest image');
  });

  it('unfinished tasks do not expire', async () => {
    const emulator = await start({ taskMs: 1500, pendingMs: 0, timeScale: 1e-6 }); // finished tasks live 86 ms
    const id = (await submit(emulator, body())).body.output.task_id;
    await sleep(300);
    expect(['PENDING', 'RUNNING']).toContain((await query(emulator, id)).body.output.task_status);
    // It still finishes normally. Read from the stats timeline: polling could miss an 86 ms window on a busy machine.
    const deadline = Date.now() + 10_000;
    while (emulator.stats().timeline[0].endedAt === null && Date.now() < deadline) await sleep(50);
    expect(emulator.stats().timeline[0]).toMatchObject({ taskId: id, status: 'SUCCEEDED' });
  });
});
