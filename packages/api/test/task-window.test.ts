/**
 * `tasks.listCreatedBetween`: the list is queried with a window wide enough for any time-zone reading of
 * start_time/end_time, and filtered by `gmt_create` (epoch ms) — against an independent stand-in that
 * records the query and against the emulator. Also `api_key_id` as a filter and a parsed field.
 */
import { describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import { taskListQueryWindow } from '../src/task-list-window.js';
import { formatListTime } from '../src/resources/tasks.js';
import { parseTaskList } from '../src/wire.js';
import { emulatorsClosedAfterEach } from './helpers/emulators.js';
import { cutoutPng } from './helpers/png.js';
import { startScriptedServer } from './helpers/raw-server.js';
import { readFileSync } from 'node:fs';

const start = emulatorsClosedAfterEach({ taskMs: 30, pendingMs: 0 });
const HOUR = 3600_000;

describe('the query window', () => {
  it('covers [from, to] whatever zone from UTC−14 to UTC+14 the service reads the strings in', () => {
    const from = Date.UTC(2024, 2, 1, 2, 0, 0);
    const to = from + 60_000;
    const { startTime, endTime } = taskListQueryWindow(from, to);
    const start = formatListTime(startTime);
    const end = formatListTime(endTime);
    expect([start, end]).toEqual(['20240229120000', '20240301160100']);
    // The instant a zone-free YYYYMMDDhhmmss means when read in zone `z` (hours east of UTC).
    const read = (s: string, z: number): number => Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14)) - z * HOUR;
    for (let z = -14; z <= 14; z += 0.5) {
      expect(read(start, z)).toBeLessThanOrEqual(from);
      expect(read(end, z)).toBeGreaterThanOrEqual(to);
    }
  });
});

describe('tasks.listCreatedBetween', () => {
  const from = Date.UTC(2024, 2, 1, 2, 0, 0);
  const to = from + 60_000;
  const entry = (id: string, gmt: unknown) => ({
    task_id: id,
    status: 'SUCCEEDED',
    model_name: 'wanx-background-generation-v2',
    api_key_id: 42677,
    ...(gmt === undefined ? {} : { gmt_create: gmt }),
  });
  const pages: Record<string, unknown[]> = {
    '1': [entry('after', to + 1), entry('inside-late', to), entry('undated', undefined)],
    '2': [entry('inside-string', String(from + 5_000)), entry('before', from - 1), entry('zoned-string', '2024-03-01 10:00:05.000'), entry('inside-early', from)],
  };

  it('pages through the widened window, filters by gmt_create, keeps undated entries, sends api_key_id and model_name', async () => {
    const server = await startScriptedServer((req) => {
      const page = new URL(req.url, 'http://x').searchParams.get('page_no') ?? '1';
      return { body: { total: 7, total_page: 2, page_no: Number(page), page_size: 100, request_id: `r${page}`, data: pages[page] } };
    });
    try {
      const client = new DashScope({ apiKey: 'sk-window', baseUrl: server.baseUrl, maxRetries: 0 });
      const found = await client.tasks.listCreatedBetween(new Date(from), to, { apiKeyId: '42677', modelName: 'wanx-background-generation-v2' });
      expect(found.complete).toBe(true);
      expect(found.tasks.map((t) => t.taskId)).toEqual(['undated', 'zoned-string', 'inside-late', 'inside-string', 'inside-early']);
      expect(found.tasks.find((t) => t.taskId === 'inside-string')?.gmtCreate).toBe(from + 5_000);
      expect(found.tasks.find((t) => t.taskId === 'zoned-string')?.gmtCreate).toBeUndefined(); // never guessed from a zone
      expect(found.tasks.every((t) => t.apiKeyId === '42677')).toBe(true);
      expect(server.requests).toHaveLength(2);
      for (const [i, req] of server.requests.entries()) {
        const q = new URL(req.url, 'http://x').searchParams;
        expect(Object.fromEntries(q)).toEqual({
          page_no: String(i + 1),
          page_size: '100',
          start_time: '20240229120000',
          end_time: '20240301160100',
          model_name: 'wanx-background-generation-v2',
          api_key_id: '42677',
        });
      }
      expect([found.startTime, found.endTime]).toEqual(['20240229120000', '20240301160100']);
      const partial = await client.tasks.listCreatedBetween(from, to, {}, { maxPages: 1 });
      expect(partial.complete).toBe(false); // more pages existed: "none found" cannot be concluded
    } finally {
      await server.close();
    }
  });

  it('rejects from > to as a user error', async () => {
    const client = new DashScope({ apiKey: 'sk-window', baseUrl: 'http://127.0.0.1:9/api/v1' });
    await expect(client.tasks.listCreatedBetween(to, from)).rejects.toMatchObject({ code: 'InvalidTaskListFilter', userError: true });
  });

  it('against the emulator: finds a task created in the window, not one outside it, and filters by its api_key_id', async () => {
    const emulator = await start();
    const client = new DashScope({ apiKey: `sk-window-${process.pid}`, baseUrl: emulator.baseUrl });
    const before = Date.now() - 1;
    const { taskId } = await client.backgroundGeneration.submit({ baseImageUrl: await uploaded(client), refPrompt: 'x' });
    const after = Date.now() + 1;
    const found = await client.tasks.listCreatedBetween(before, after);
    expect(found.tasks.map((t) => t.taskId)).toEqual([taskId]);
    const gmt = found.tasks[0].gmtCreate!;
    expect(gmt).toBeGreaterThanOrEqual(before);
    expect(gmt).toBeLessThanOrEqual(after);
    // The query window of a later second still contains the task (±14 h); the gmt_create filter leaves it out.
    expect((await client.tasks.listCreatedBetween(after + 1000, after + 2000)).tasks).toEqual([]);
    const byKey = await client.tasks.listCreatedBetween(before, after, { apiKeyId: found.tasks[0].apiKeyId });
    expect(byKey.tasks.map((t) => t.taskId)).toEqual([taskId]);
    expect((await client.tasks.listCreatedBetween(before, after, { apiKeyId: 'key_00000000' })).tasks).toEqual([]);
  });

  it('the recorded list reply: api_key_id and gmt_create parse (epoch ms)', () => {
    const body = JSON.parse(readFileSync(new URL('./fixtures/recorded/list-task-nosse.response.body.txt', import.meta.url), 'utf8'));
    const [item] = parseTaskList(body).data;
    expect(item).toMatchObject({ apiKeyId: '42677', gmtCreate: 1709260684485, startTime: 1709260684527, endTime: 1709260685184 });
  });
});

async function uploaded(client: DashScope): Promise<string> {
  return (await client.files.upload(cutoutPng(20, 20))).url;
}
