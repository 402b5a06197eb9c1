/**
 * Every route answers in the recorded service's shapes: key sets are compared with the real replies in
 * fixtures/recorded (copied from ../shared/dashscope-recorded).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { MODEL, SUBMIT_PATH, call, keysOf, query, submit, waitForStatus } from './helpers/dashscope-http.js';
import { type InputServer, startInputServer } from './helpers/input-server.js';
import { makeReference, makeSubject } from './helpers/test-images.js';

const recordedDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'recorded');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const recorded = (name: string): any => JSON.parse(readFileSync(path.join(recordedDir, `${name}.json`), 'utf8'));

const SERVICE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

let emulator: Emulator;
let inputs: InputServer;
let baseUrl: string;
let refUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ taskMs: 1000, pendingMs: 0, seed: 3, submitQps: 100 });
  inputs = await startInputServer();
  baseUrl = inputs.put('/subject.png', await makeSubject(200, 150), 'image/png');
  refUrl = inputs.put('/ref.jpg', await makeReference(300, 200), 'image/jpeg');
});

afterAll(async () => {
  await emulator?.close();
  await inputs?.close();
});

describe('reply shapes match the recordings', () => {
  it('binds 127.0.0.1 and reports its base URL', () => {
    expect(emulator.baseUrl).toBe(`http://127.0.0.1:${emulator.port}/api/v1`);
    expect(emulator.origin).toBe(`http://127.0.0.1:${emulator.port}`);
  });

  it('submit (recorded request body) → PENDING reply shaped like the recording; RUNNING and SUCCEEDED queries too', async () => {
    const request = recorded('background-generation.request.body');
    request.input.base_image_url = baseUrl;
    request.input.ref_image_url = refUrl;
    const submitted = await submit(emulator, request);
    expect(submitted.status).toBe(200);
    const expected = recorded('background-generation.response.body');
    expect(keysOf(submitted.body)).toEqual(keysOf(expected));
    expect(keysOf(submitted.body.output)).toEqual(keysOf(expected.output));
    expect(submitted.body.output.task_status).toBe('PENDING');
    expect(submitted.headers.get('content-type')).toMatch(/^application\/json/);
    const taskId: string = submitted.body.output.task_id;

    const running = await waitForStatus(emulator, taskId, ['RUNNING'], { everyMs: 60 });
    const recordedRunning = recorded('get-task-running.response.body');
    expect(keysOf(running.body)).toEqual(keysOf(recordedRunning));
    expect(keysOf(running.body.output)).toEqual(keysOf(recordedRunning.output));
    expect(running.body.output.task_metrics).toEqual({ TOTAL: 2, SUCCEEDED: 0, FAILED: 0 });
    expect(running.body.output.submit_time).toMatch(SERVICE_TIME);

    const done = await waitForStatus(emulator, taskId);
    const recordedDone = recorded('get-task-background-generation-success.response.body');
    expect(done.body.output.task_status).toBe('SUCCEEDED');
    expect(keysOf(done.body)).toEqual(keysOf(recordedDone));
    expect(keysOf(done.body.output)).toEqual(keysOf(recordedDone.output));
    expect(keysOf(done.body.output.text_results)).toEqual(keysOf(recordedDone.output.text_results));
    expect(done.body.usage).toEqual({ image_count: 2 });
    expect(done.body.output.task_metrics).toEqual({ TOTAL: 2, SUCCEEDED: 2, FAILED: 0 });
    for (const t of ['submit_time', 'scheduled_time', 'end_time']) expect(done.body.output[t]).toMatch(SERVICE_TIME);
    expect(done.body.output.end_time >= done.body.output.scheduled_time).toBe(true);
    expect(done.body.output.results).toHaveLength(2);
    expect(done.body.output.results[0].url).toMatch(/\.png$/); // like the recorded reply
    expect(done.body.output.text_results.urls[0].url).toMatch(/\.png$/);

    // Text layers: same keys per layer kind as the recording (title, sub-title, masks with/without shadow).
    const layerKeys = (layers: Record<string, unknown>[]) => layers.map((l) => `${l.type}/${String(l.sub_type ?? l.idx)}:${keysOf(l).join(',')}`);
    const ours = done.body.output.text_results.params;
    const theirs = recordedDone.output.text_results.params;
    expect(ours.map((p: object) => keysOf(p))).toEqual(theirs.map((p: object) => keysOf(p)));
    expect(ours.map((p: { sample_idx: number }) => p.sample_idx)).toEqual([0, 1]);
    expect(layerKeys(ours[0].layers)).toEqual(layerKeys(theirs[0].layers));
    expect(ours[0].layers[1]).toMatchObject({ type: 'text', sub_type: 'Title', content: '分享好时光' });
    expect(ours[0].layers[3]).toMatchObject({ type: 'text', sub_type: 'SubTitle', content: '只为不一样的你' });
  });

  it('the submit path works without the trailing slash too', async () => {
    const reply = await call(emulator, 'POST', SUBMIT_PATH.replace(/\/$/, ''), {
      body: { model: MODEL, input: { base_image_url: baseUrl, ref_prompt: 'a beach' } },
      headers: { 'X-DashScope-Async': 'enable' },
      key: 'another-key',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.output.task_status).toBe('PENDING');
  });

  it('unknown task → 200 UNKNOWN like the recording', async () => {
    const reply = await query(emulator, '1111');
    expect(reply.status).toBe(200);
    const expected = recorded('get-task-unknown.response.body');
    expect(keysOf(reply.body)).toEqual(keysOf(expected));
    expect(reply.body.output).toEqual({ task_id: '1111', task_status: 'UNKNOWN' });
  });

  it('task list → top-level {total, data, total_page, page_no, page_size, request_id}, entries with the recorded keys', async () => {
    const submitted = await submit(emulator, { model: MODEL, input: { base_image_url: baseUrl, ref_prompt: 'list me' } }, { key: 'list-key' });
    await waitForStatus(emulator, submitted.body.output.task_id, undefined, { key: 'list-key' });
    const reply = await call(emulator, 'GET', '/tasks?page_no=1&page_size=10', { key: 'list-key' });
    expect(reply.status).toBe(200);
    const expected = recorded('list-task.response.body');
    expect(keysOf(reply.body)).toEqual(keysOf(expected));
    expect(reply.body.total).toBe(1);
    expect(keysOf(reply.body.data[0])).toEqual(keysOf(expected.data[0]));
    expect(reply.body.data[0]).toMatchObject({ task_id: submitted.body.output.task_id, status: 'SUCCEEDED', model_name: MODEL });
    expect(typeof reply.body.data[0].gmt_create).toBe('number');
  });

  it('upload policy → under data, 300 s, upload_host on this server', async () => {
    const reply = await call(emulator, 'GET', `/uploads?action=getPolicy&model=${MODEL}`);
    expect(reply.status).toBe(200);
    const expected = recorded('get-upload-policy.response.body');
    expect(keysOf(reply.body)).toEqual(keysOf(expected));
    expect(keysOf(reply.body.data)).toEqual(keysOf(expected.data));
    expect(reply.body.data.expire_in_seconds).toBe(300);
    expect(reply.body.data.upload_host.startsWith(emulator.origin)).toBe(true);
  });

  it('errors: 401 InvalidApiKey and cancel of a finished task, shaped like the recordings', async () => {
    const auth = await query(emulator, 'whatever', '');
    expect(auth.status).toBe(401);
    expect(keysOf(auth.body)).toEqual(keysOf(recorded('auth-error.response.body')));
    expect(auth.body.code).toBe('InvalidApiKey');
    expect(auth.body.message).toBe('Invalid API-key provided.');

    const submitted = await submit(emulator, { model: MODEL, input: { base_image_url: baseUrl, ref_prompt: 'done' } }, { key: 'cancel-key' });
    await waitForStatus(emulator, submitted.body.output.task_id, undefined, { key: 'cancel-key' });
    const cancel = await call(emulator, 'POST', `/tasks/${submitted.body.output.task_id}/cancel`, { key: 'cancel-key' });
    const expected = recorded('cancel-completed-task.response.body');
    expect(cancel.status).toBe(400);
    expect(keysOf(cancel.body)).toEqual(keysOf(expected));
    expect(cancel.body.code).toBe(expected.code);
    expect(cancel.body.message).toBe(expected.message);
  });

  it('every JSON reply carries a request_id (and the X-Request-ID header)', async () => {
    const replies = [
      await query(emulator, 'nope'),
      await call(emulator, 'GET', '/tasks'),
      await call(emulator, 'GET', '/uploads?action=getPolicy&model=x'),
      await query(emulator, 'nope', ''),
      await call(emulator, 'GET', '/no/such/route'),
    ];
    for (const reply of replies) {
      expect(reply.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(reply.headers.get('x-request-id')).toBe(reply.body.request_id);
    }
  });
});
