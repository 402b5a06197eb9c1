/** `/emulator/stats` (per key fingerprint and total, timeline), key privacy, and prompt shutdown. */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, fingerprintApiKey, startEmulator } from '../src/index.js';
import { MODEL, submit, query, waitForStatus } from './helpers/dashscope-http.js';
import { type InputServer, startInputServer } from './helpers/input-server.js';
import { makeSubject } from './helpers/test-images.js';

let inputs: InputServer;
let base: string;
beforeAll(async () => {
  inputs = await startInputServer();
  base = inputs.put('/subject.png', await makeSubject(32, 32));
});
afterAll(async () => inputs?.close());

describe('stats', () => {
  it('counts per key fingerprint and in total; timeline has every task; HTTP and handle agree; keys never appear', async () => {
    const logLines: string[] = [];
    const logger = { debug: (m: string) => logLines.push(m), info: (m: string) => logLines.push(m) };
    const emulator = await startEmulator({ taskMs: 600, pendingMs: 0, logger });
    try {
      const secretA = 'sk-secret-aaaaaaaa';
      const secretB = 'sk-secret-bbbbbbbb';
      const body = { model: MODEL, input: { base_image_url: base, ref_prompt: 'x' }, parameters: { n: 2 } };
      // Sent together so all three arrive within one second: one of them is throttled.
      const burst = await Promise.all([0, 1, 2].map(() => submit(emulator, body, { key: secretA })));
      expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 429]);
      const [a1, a2] = burst.filter((r) => r.status === 200).sort((x, y) => (x.body.request_id < y.body.request_id ? -1 : 1));
      const b1 = await submit(emulator, body, { key: secretB });
      expect(b1.status).toBe(200);
      for (const [reply, key] of [
        [a1, secretA],
        [a2, secretA],
        [b1, secretB],
      ] as const) {
        await waitForStatus(emulator, reply.body.output.task_id, undefined, { key, everyMs: 100 });
      }
      const response = await fetch(`${emulator.origin}/emulator/stats`);
      expect(response.status).toBe(200);
      const overHttp = (await response.json()) as ReturnType<Emulator['stats']>;
      const fromHandle = emulator.stats();
      expect({ ...overHttp, now: 0 }).toEqual({ ...fromHandle, now: 0 });

      const fa = fingerprintApiKey(secretA);
      const fb = fingerprintApiKey(secretB);
      expect(fa).toMatch(/^key_[0-9a-f]{8}$/);
      expect(Object.keys(fromHandle.keys).sort()).toEqual([fa, fb].sort());
      expect(fromHandle.keys[fa]).toMatchObject({
        submitRequests: 3,
        tasksCreated: 2,
        peakRunning: 1,
        peakSubmitsPerSecond: 3,
        peakTasksCreatedPerSecond: 2,
        throttled: { 'Throttling.RateQuota': 1 },
        tasksByStatus: { SUCCEEDED: 2, PENDING: 0, RUNNING: 0, FAILED: 0, CANCELED: 0 },
      });
      expect(fromHandle.keys[fb].tasksCreated).toBe(1);
      expect(fromHandle.total.tasksCreated).toBe(3);
      expect(fromHandle.total.peakRunning).toBe(2); // one per key at the same time
      expect(fromHandle.total.queries).toBe(fromHandle.keys[fa].queries + fromHandle.keys[fb].queries);
      expect(fromHandle.total.peakQueriesPerSecond).toBeGreaterThan(0);

      expect(fromHandle.timeline.map((t) => t.taskId).sort()).toEqual([a1, a2, b1].map((r) => r.body.output.task_id).sort());
      expect(fromHandle.timeline[2].taskId).toBe(b1.body.output.task_id);
      for (const entry of fromHandle.timeline) {
        expect(entry.n).toBe(2);
        expect(entry.status).toBe('SUCCEEDED');
        expect(entry.startedAt!).toBeGreaterThanOrEqual(entry.submittedAt);
        expect(entry.endedAt! - entry.startedAt!).toBeGreaterThanOrEqual(595);
      }
      expect(fromHandle.timeline[0].key).toBe(fa);

      const everything = JSON.stringify(overHttp) + logLines.join('\n');
      expect(logLines.length).toBeGreaterThan(3);
      expect(everything).not.toContain('sk-secret');

      const reset = await fetch(`${emulator.origin}/emulator/reset`, { method: 'POST' });
      expect(reset.status).toBe(200);
      expect(emulator.stats().total.tasksCreated).toBe(0);
      expect(emulator.stats().timeline).toHaveLength(0);
    } finally {
      await emulator.close();
    }
  });
});

describe('server', () => {
  it('close() is prompt even with an idle keep-alive connection, and frees the port', async () => {
    const emulator = await startEmulator();
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      http
        .get(`${emulator.baseUrl}/tasks/x`, { agent, headers: { Authorization: 'Bearer k' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(500);
    await emulator.close(); // twice is fine
    agent.destroy();
    // The port can be bound again.
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(emulator.port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('a path with broken percent-encoding → 400 InvalidParameter with a request id, not a 500', async () => {
    const errors: string[] = [];
    const emulator = await startEmulator({ logger: { error: (m) => errors.push(m) } });
    try {
      const response = await fetch(`${emulator.baseUrl}/tasks/%E0%A4%A`, { headers: { Authorization: 'Bearer k' } });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; request_id: string };
      expect(body.code).toBe('InvalidParameter');
      expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-request-id')).toBe(body.request_id);
      expect(errors).toEqual([]);
    } finally {
      await emulator.close();
    }
  });

  it('a port in use → EmulatorListenError with a clear message', async () => {
    const first = await startEmulator();
    try {
      await expect(startEmulator({ port: first.port })).rejects.toMatchObject({ code: 'EMULATOR_LISTEN', userError: true });
    } finally {
      await first.close();
    }
  });

  it('a running task does not keep working after close()', async () => {
    const emulator = await startEmulator({ taskMs: 5000, pendingMs: 0 });
    const id = (await submit(emulator, { model: MODEL, input: { base_image_url: base, ref_prompt: 'x' } })).body.output.task_id;
    expect((await query(emulator, id)).status).toBe(200);
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).toBeLessThan(500);
  });
});
