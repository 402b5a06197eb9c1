/**
 * Every error class from a real HTTP reply, the headers the client sends, configuration from the
 * environment, and the API key never leaking into errors or logs.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import {
  AllocationQuotaError,
  ArrearsError,
  AuthenticationError,
  BadRequestError,
  ConnectionError,
  ContentModerationError,
  DashScopeError,
  InvalidParameterError,
  MissingApiKeyError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RateQuotaError,
  RequestTimeoutError,
  ServerError,
  UnexpectedResponseError,
  UnsupportedOperationError,
} from '../src/errors.js';
import { apiKeyFingerprint } from '../src/api-key.js';
import { recordingLogger, refusedPort, startScriptedServer, type ScriptedServer } from './helpers/raw-server.js';

const KEY = 'sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

let server: ScriptedServer;
beforeAll(async () => {
  // GET /api/v1/tasks/<status>~<code> answers that status with that DashScope code; the message
  // echoes the Authorization header, as a careless proxy might.
  server = await startScriptedServer((req) => {
    const m = /\/tasks\/(\d{3})~([^/?]*)/.exec(req.url);
    if (m) {
      return { status: Number(m[1]), body: { code: decodeURIComponent(m[2]), message: `rejected ${req.headers.authorization}`, request_id: `rid-${m[1]}` } };
    }
    if (req.url.endsWith('/tasks/not-json')) return { status: 200, body: '<html>captive portal</html>' };
    if (req.url.endsWith('/tasks/hang')) return { hang: true };
    return { status: 200, body: { request_id: 'rid', output: { task_id: 'task-h', task_status: 'PENDING' } } };
  });
});
afterAll(() => server.close());

const client = (extra: ConstructorParameters<typeof DashScope>[0] = {}) => new DashScope({ apiKey: KEY, baseUrl: server.baseUrl, maxRetries: 0, ...extra });
const failure = (path: string, c = client()) =>
  c.tasks.get(path).then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as DashScopeError,
  );

describe('error classes from real replies', () => {
  const cases: [string, number, string, new (...a: never[]) => DashScopeError, { userError: boolean; retryable: boolean }][] = [
    ['401 InvalidApiKey', 401, 'InvalidApiKey', AuthenticationError, { userError: true, retryable: false }],
    ['403 AccessDenied', 403, 'AccessDenied', PermissionDeniedError, { userError: true, retryable: false }],
    ['403 AccessDenied.Unpurchased', 403, 'AccessDenied.Unpurchased', PermissionDeniedError, { userError: true, retryable: false }],
    ['400 InvalidParameter', 400, 'InvalidParameter', InvalidParameterError, { userError: true, retryable: false }],
    ['400 InvalidURL', 400, 'InvalidURL', InvalidParameterError, { userError: true, retryable: false }],
    ['400 DataInspectionFailed', 400, 'DataInspectionFailed', ContentModerationError, { userError: true, retryable: false }],
    ['400 InvalidParameter.DataInspection', 400, 'InvalidParameter.DataInspection', ContentModerationError, { userError: true, retryable: false }],
    ['400 Arrearage', 400, 'Arrearage', ArrearsError, { userError: true, retryable: false }],
    ['400 UnsupportedOperation', 400, 'UnsupportedOperation', UnsupportedOperationError, { userError: true, retryable: false }],
    ['413 BadRequest.TooLarge', 413, 'BadRequest.TooLarge', InvalidParameterError, { userError: true, retryable: false }],
    ['404 ModelNotFound', 404, 'ModelNotFound', NotFoundError, { userError: true, retryable: false }],
    ['408 RequestTimeOut', 408, 'RequestTimeOut', RequestTimeoutError, { userError: false, retryable: true }],
    ['429 Throttling.RateQuota', 429, 'Throttling.RateQuota', RateQuotaError, { userError: false, retryable: true }],
    ['429 Throttling.AllocationQuota', 429, 'Throttling.AllocationQuota', AllocationQuotaError, { userError: false, retryable: true }],
    ['429 Throttling', 429, 'Throttling', RateLimitError, { userError: false, retryable: true }],
    ['500 InternalError', 500, 'InternalError', ServerError, { userError: false, retryable: true }],
    ['500 InternalError.Algo', 500, 'InternalError.Algo', ServerError, { userError: false, retryable: true }],
  ];
  for (const [name, status, code, cls, flags] of cases) {
    it(name, async () => {
      const err = await failure(`${status}~${encodeURIComponent(code)}`);
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(DashScopeError);
      expect(err).toMatchObject({ code, status, requestId: `rid-${status}`, operation: 'tasks.get', ...flags });
      expect(err.message).toContain(code);
      expect(err.message).toContain(`rid-${status}`);
      expect(err.name).toBe(cls.name);
    });
  }

  it('rate limits are told apart: RateQuota vs AllocationQuota', async () => {
    const rate = await failure('429~Throttling.RateQuota');
    const alloc = await failure('429~Throttling.AllocationQuota');
    expect(rate).toBeInstanceOf(RateQuotaError);
    expect(rate).not.toBeInstanceOf(AllocationQuotaError);
    expect(alloc).toBeInstanceOf(AllocationQuotaError);
    expect(alloc).not.toBeInstanceOf(RateQuotaError);
    expect(alloc.message).toMatch(/running task/);
  });

  it('moderation and arrears are distinguishable from other 400s', async () => {
    const mod = await failure('400~DataInspectionFailed');
    const arrears = await failure('400~Arrearage');
    const plain = await failure('400~InvalidParameter');
    expect(mod).toBeInstanceOf(BadRequestError);
    expect(mod).not.toBeInstanceOf(InvalidParameterError);
    expect(arrears).not.toBeInstanceOf(ContentModerationError);
    expect(arrears.message).toMatch(/Top up/);
    expect(plain).not.toBeInstanceOf(ArrearsError);
  });

  it('a 200 that is not JSON: UnexpectedResponseError', async () => {
    const err = await failure('not-json');
    expect(err).toBeInstanceOf(UnexpectedResponseError);
    expect(err.code).toBe('UnexpectedResponse');
    expect(err.message).toContain('captive portal');
  });

  it('client-side timeout: RequestTimeoutError with code Timeout', async () => {
    const err = await failure('hang', client({ timeoutMs: 200 }));
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err).toMatchObject({ code: 'Timeout', retryable: true, status: undefined });
  });

  it('connection failure: ConnectionError', async () => {
    const port = await refusedPort();
    const err = await failure('x', new DashScope({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0 }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'Connection', retryable: true });
    expect(err.message).toMatch(/DASHSCOPE_HTTP_BASE_URL/);
  });

  it('no API key: MissingApiKeyError (a user error)', () => {
    const saved = process.env.DASHSCOPE_API_KEY;
    delete process.env.DASHSCOPE_API_KEY;
    try {
      expect(() => new DashScope({ baseUrl: server.baseUrl })).toThrow(MissingApiKeyError);
      expect(() => new DashScope({ apiKey: '  ' })).toThrow(/DASHSCOPE_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.DASHSCOPE_API_KEY = saved;
    }
  });
});

describe('the API key never leaks', () => {
  it('is absent from messages, String, JSON, util.inspect and logger output of every failure', async () => {
    const logger = recordingLogger();
    const c = client({ logger, maxRetries: 1, backoff: { baseDelayMs: 10, maxDelayMs: 10 } });
    const port = await refusedPort();
    // An unknown scene type is a warning that echoes the value; the submit goes through and logs it.
    await c.backgroundGeneration.submit({ baseImageUrl: 'https://x/b.png', refPrompt: 'p', parameters: { sceneType: KEY } });
    expect(logger.lines.some((l) => l.includes('unknown_scene_type') || l.includes('not a documented scene'))).toBe(true);
    const errors: unknown[] = [
      await c.tasks.get('401~InvalidApiKey').catch((e: unknown) => e),
      await c.tasks.get('500~InternalError').catch((e: unknown) => e),
      await c.backgroundGeneration.submit({ baseImageUrl: `https://x/${KEY}.png`, refPrompt: KEY, parameters: { n: 9 } }).catch((e: unknown) => e),
      await c.tasks.get('hang', { timeoutMs: 100 }).catch((e: unknown) => e),
      await new DashScope({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}/api/v1`, maxRetries: 0, logger }).tasks.list().catch((e: unknown) => e),
    ];
    // The server did see the key (so it really was in the failing requests)…
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect((errors[0] as Error).message).toContain(apiKeyFingerprint(KEY)); // …and its echo was redacted.
    for (const err of errors) {
      expect(err).toBeInstanceOf(DashScopeError);
      for (const text of [(err as Error).message, String(err), JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), (err as Error).stack ?? '']) {
        expect(text).not.toContain(KEY);
      }
      expect((err as Error).cause).toBeUndefined();
    }
    expect(logger.lines.length).toBeGreaterThan(3);
    for (const line of logger.lines) expect(line).not.toContain(KEY);
    expect(inspect(c, { depth: 10, showHidden: true })).not.toContain(KEY);
  });

  it('fingerprint is key_ + 8 hex of sha256', () => {
    expect(apiKeyFingerprint('sk-abc')).toMatch(/^key_[0-9a-f]{8}$/);
    expect(apiKeyFingerprint('sk-abc')).toBe(apiKeyFingerprint('sk-abc'));
    expect(apiKeyFingerprint('sk-abc')).not.toBe(apiKeyFingerprint('sk-abd'));
    expect(client().keyFingerprint).toBe(apiKeyFingerprint(KEY));
  });
});

describe('headers and configuration', () => {
  it('submit sends auth, async, workspace, OSS resolve (only with oss:// inputs) and a backdrop User-Agent', async () => {
    const c = client({ workspace: 'ws_test' });
    const before = server.requests.length;
    await c.backgroundGeneration.submit({ baseImageUrl: 'oss://dashscope-instant/dir/base.png', refPrompt: 'a table' });
    await c.backgroundGeneration.submit({ baseImageUrl: 'https://x/base.png', refPrompt: 'a table', referenceEdge: { backgroundEdge: ['oss://d/e.png'] } });
    await c.backgroundGeneration.submit({ baseImageUrl: 'https://x/base.png', refPrompt: 'a table' });
    await c.tasks.get('task-h');
    const [withOss, withOssEdge, plain, query] = server.requests.slice(before);
    expect(withOss.method).toBe('POST');
    expect(withOss.url).toBe('/api/v1/services/aigc/background-generation/generation/');
    expect(withOss.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      'x-dashscope-async': 'enable',
      'x-dashscope-workspace': 'ws_test',
      'x-dashscope-ossresourceresolve': 'enable',
      'content-type': 'application/json',
    });
    expect(withOss.headers['user-agent']).toMatch(/^backdrop\/\d+\.\d+\.\d+ \(@backdrop\/api; node v\d+/);
    expect(JSON.parse(withOss.body)).toEqual({ model: 'wanx-background-generation-v2', input: { base_image_url: 'oss://dashscope-instant/dir/base.png', ref_prompt: 'a table' } });
    expect(withOssEdge.headers['x-dashscope-ossresourceresolve']).toBe('enable');
    expect(plain.headers['x-dashscope-ossresourceresolve']).toBeUndefined();
    expect(plain.headers['x-dashscope-async']).toBe('enable');
    expect(query.method).toBe('GET');
    expect(query.headers['x-dashscope-async']).toBeUndefined();
    expect(query.headers['x-dashscope-workspace']).toBe('ws_test');
    expect(query.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(client().workspace).toBeUndefined();
  });

  it('reads DASHSCOPE_API_KEY, DASHSCOPE_WORKSPACE and DASHSCOPE_HTTP_BASE_URL', async () => {
    const saved = { ...process.env };
    process.env.DASHSCOPE_API_KEY = 'sk-from-env';
    process.env.DASHSCOPE_WORKSPACE = 'ws_env';
    process.env.DASHSCOPE_HTTP_BASE_URL = server.baseUrl + '/';
    try {
      const c = new DashScope();
      expect(c.baseUrl).toBe(server.baseUrl);
      expect(c.workspace).toBe('ws_env');
      expect(c.keyFingerprint).toBe(apiKeyFingerprint('sk-from-env'));
      await c.tasks.get('task-h');
      const last = server.requests.at(-1)!;
      expect(last.headers.authorization).toBe('Bearer sk-from-env');
      expect(last.headers['x-dashscope-workspace']).toBe('ws_env');
      delete process.env.DASHSCOPE_HTTP_BASE_URL;
      expect(new DashScope().baseUrl).toBe('https://dashscope.aliyuncs.com/api/v1');
    } finally {
      for (const k of ['DASHSCOPE_API_KEY', 'DASHSCOPE_WORKSPACE', 'DASHSCOPE_HTTP_BASE_URL']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('list sends its filter as snake_case query parameters (times in UTC+8)', async () => {
    await client().tasks.list({
      pageNo: 2,
      pageSize: 5,
      startTime: new Date('2024-03-04T02:08:57Z'),
      endTime: '20240305000000',
      modelName: 'wanx-background-generation-v2',
      status: 'SUCCEEDED',
    });
    const url = new URL(server.requests.at(-1)!.url, server.origin);
    expect(url.pathname).toBe('/api/v1/tasks');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      page_no: '2',
      page_size: '5',
      start_time: '20240304100857',
      end_time: '20240305000000',
      model_name: 'wanx-background-generation-v2',
      status: 'SUCCEEDED',
    });
  });
});
