/**
 * The service's up-front submit checks: API key, async header, parameters, model, oss:// header, input
 * downloads and base-image format/size. A refused submit never creates a task.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { MODEL, submit, waitForStatus } from './helpers/dashscope-http.js';
import { type InputServer, startInputServer } from './helpers/input-server.js';
import { makeEdgeElement, makeOpaquePng, makeReference, makeSubject } from './helpers/test-images.js';

let emulator: Emulator;
let inputs: InputServer;
let base: string;

beforeAll(async () => {
  // Generous rate limit: this file tests checks, not throttling.
  emulator = await startEmulator({ apiKeys: ['good-key'], submitQps: 1000, taskMs: 10, pendingMs: 0 });
  inputs = await startInputServer();
  base = inputs.put('/subject.png', await makeSubject(64, 48));
  inputs.put('/ref.jpg', await makeReference(64, 48));
  inputs.put('/edge.png', await makeEdgeElement(64, 48));
  inputs.put('/opaque.png', await makeOpaquePng(64, 48));
  inputs.put(
    '/grey-alpha.png',
    await sharp(await makeSubject(64, 48))
      .toColourspace('b-w')
      .png()
      .toBuffer(),
  );
  inputs.put('/subject.jpg', await makeReference(64, 48));
  inputs.put('/huge.png', await makeSubject(2049, 16));
  inputs.put('/max.png', await makeSubject(2048, 16));
  inputs.put('/not-an-image.png', Buffer.from('hello'));
});

afterAll(async () => {
  await emulator?.close();
  await inputs?.close();
});

const body = (input: Record<string, unknown>, parameters?: Record<string, unknown>) => ({
  model: MODEL,
  input: { base_image_url: base, ref_prompt: 'on a table', ...input },
  ...(parameters ? { parameters } : {}),
});

const opts = { key: 'good-key' };

/** Test tables are built before the input server exists: paths starting with '/' become its URLs. */
function served<T>(value: T): T {
  if (typeof value === 'string') return (value.startsWith('/') ? inputs.url(value) : value) as T;
  if (Array.isArray(value)) return value.map(served) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, served(v)])) as T;
  }
  return value;
}

describe('authentication', () => {
  it.each([
    ['no header', null],
    ['empty key', ''],
    ['a key not in apiKeys', 'bad-key'],
  ])('%s → 401 InvalidApiKey', async (_label, key) => {
    const reply = await submit(emulator, body({}), { key });
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
  });
});

describe('headers', () => {
  it('missing X-DashScope-Async → 403 AccessDenied (async-only model)', async () => {
    const reply = await submit(emulator, body({}), { ...opts, async: false });
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: 'AccessDenied', message: 'current user api does not support synchronous calls' });
  });

  it('an oss:// input without X-DashScope-OssResourceResolve → 400 InvalidParameter naming the header', async () => {
    const reply = await submit(emulator, body({ base_image_url: 'oss://dashscope-instant/x/y/subject.png' }), opts);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('InvalidParameter');
    expect(reply.body.message).toContain('X-DashScope-OssResourceResolve');
  });
});

describe('parameters', () => {
  const edges = (n: number) => Array.from({ length: n }, () => '/edge.png');
  it.each([
    ['no base image', { base_image_url: undefined }, undefined, 'base_image_url'],
    ['neither ref image nor prompt', { ref_prompt: undefined }, undefined, 'ref_image_url'],
    ['n = 5', {}, { n: 5 }, 'parameters.n'],
    ['n = 0', {}, { n: 0 }, 'parameters.n'],
    ['n = 1.5', {}, { n: 1.5 }, 'parameters.n'],
    ['noise_level = 1000', {}, { noise_level: 1000 }, 'noise_level'],
    ['noise_level = 2.5', {}, { noise_level: 2.5 }, 'noise_level'],
    ['ref_prompt_weight = 1.2', {}, { ref_prompt_weight: 1.2 }, 'ref_prompt_weight'],
    ['model_version = v4', {}, { model_version: 'v4' }, 'model_version'],
    ['title of 9 characters', { title: '一二三四五六七八九' }, undefined, 'input.title'],
    ['empty title', { title: '' }, undefined, 'input.title'],
    ['sub_title of 11 characters', { title: '标题', sub_title: '一二三四五六七八九十一' }, undefined, 'sub_title'],
    ['sub_title without title', { sub_title: '副标题' }, undefined, 'sub_title'],
    ['11 edge elements', { reference_edge: { foreground_edge: edges(6), background_edge: edges(5) } }, undefined, 'at most 10'],
    ['prompt list length ≠ element list', { reference_edge: { foreground_edge: edges(2), foreground_edge_prompt: ['a'] } }, undefined, 'foreground_edge_prompt'],
    ['a ftp:// URL', { ref_image_url: 'ftp://example.com/a.jpg' }, undefined, 'ref_image_url'],
  ])('%s → 400 InvalidParameter', async (_label, input, parameters, mention) => {
    const before = emulator.stats().total.tasksCreated;
    const reply = await submit(emulator, body(served(input), parameters), opts);
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('InvalidParameter');
    expect(reply.body.message).toContain(mention);
    expect(reply.body.request_id).toBeTruthy();
    expect(emulator.stats().total.tasksCreated).toBe(before);
  });

  it('title of 8 and sub_title of 10 characters, 10 edge elements with matching prompts are accepted', async () => {
    const reply = await submit(
      emulator,
      body(
        served({
          title: '一二三四五六七八',
          sub_title: '一二三四五六七八九十',
          reference_edge: { foreground_edge: edges(4), foreground_edge_prompt: ['a', '', 'b', ''], background_edge: edges(6) },
        }),
        { n: 4, noise_level: 999, ref_prompt_weight: 0, model_version: 'v3', scene_type: 'GENERAL' },
      ),
      opts,
    );
    expect(reply.status).toBe(200);
  });

  it('other model → 404 ModelNotFound; no model → 400; no input → 400', async () => {
    const other = await submit(emulator, { ...body({}), model: 'wanx-v1' }, opts);
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('ModelNotFound');
    const noModel = await submit(emulator, { input: body({}).input }, opts);
    expect(noModel.status).toBe(400);
    expect(noModel.body.code).toBe('BadRequest.EmptyModel');
    const noInput = await submit(emulator, { model: MODEL }, opts);
    expect(noInput.status).toBe(400);
    expect(noInput.body.code).toBe('BadRequest.EmptyInput');
  });

  it('a body that is not JSON → 400 InvalidParameter', async () => {
    const response = await fetch(`${emulator.baseUrl}/services/aigc/background-generation/generation/`, {
      method: 'POST',
      headers: { Authorization: 'Bearer good-key', 'X-DashScope-Async': 'enable', 'Content-Type': 'application/json' },
      body: '{"model":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('InvalidParameter');
  });
});

describe('inputs are downloaded and inspected before the reply', () => {
  it.each([
    ['base image URL answers 404', { base_image_url: '/missing.png' }, 'Failed to download multimodal content'],
    ['ref image server refuses connections', { ref_image_url: 'http://127.0.0.1:1/ref.jpg' }, 'Failed to download multimodal content'],
    ['unknown oss:// key', { ref_image_url: 'oss://dashscope-instant/abc/20250101/x/ref.jpg' }, 'Failed to download multimodal content'],
    ['base image is a JPEG', { base_image_url: '/subject.jpg' }, 'RGBA'],
    ['base image is a PNG without alpha', { base_image_url: '/opaque.png' }, 'RGBA'],
    ['base image is a grey + alpha PNG', { base_image_url: '/grey-alpha.png' }, 'grey + alpha'],
    ['base image long side 2049', { base_image_url: '/huge.png' }, '2048'],
    ['ref image is not an image', { ref_image_url: '/not-an-image.png' }, 'not an image'],
    ['edge element without alpha', { reference_edge: { background_edge: ['/opaque.png'] } }, 'RGBA'],
  ])('%s → 400 InvalidParameter, no task', async (_label, input, message) => {
    const resolved = served(input);
    const before = emulator.stats().total.tasksCreated;
    const reply = await submit(emulator, body(resolved), {
      ...opts,
      headers: { 'X-DashScope-OssResourceResolve': 'enable' },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe('InvalidParameter');
    expect(reply.body.message).toContain(message);
    expect(emulator.stats().total.tasksCreated).toBe(before);
  });

  it('with inputDownloadFailure "task", an input it cannot download is accepted and the task ends FAILED (InternalError.Algo.InvalidParameter)', async () => {
    const failing = await startEmulator({ apiKeys: ['good-key'], submitQps: 1000, taskMs: 10, pendingMs: 0, inputDownloadFailure: 'task' });
    try {
      const missing = await submit(failing, body({ base_image_url: inputs.url('/missing.png') }), opts);
      expect(missing.status).toBe(200);
      const ended = (await waitForStatus(failing, missing.body.output.task_id, undefined, { key: 'good-key' })).body.output;
      expect(ended).toMatchObject({ task_status: 'FAILED', code: 'InternalError.Algo.InvalidParameter' });
      expect(ended.message).toMatch(/^Failed to download multimodal content \(input\.base_image_url: HTTP 404\)/);
      expect(failing.stats().total.faults).toEqual({}); // not an injected fault
      // Other input problems are still refused at the submit.
      const jpeg = await submit(failing, body({ base_image_url: inputs.url('/subject.jpg') }), opts);
      expect(jpeg.status).toBe(400);
      expect(failing.stats().total.tasksCreated).toBe(1);
    } finally {
      await failing.close();
    }
  });

  it('a 2048-px base image is accepted', async () => {
    const reply = await submit(emulator, body({ base_image_url: inputs.url('/max.png') }), opts);
    expect(reply.status).toBe(200);
  });
});
