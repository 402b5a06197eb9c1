/**
 * The retry rules over real sockets: a submit is retried only where no task can exist; queries are
 * retried on 429/5xx/network errors with backoff, honouring Retry-After.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DashScope } from '../src/client.js';
import { ConnectionError, RateQuotaError, RequestTimeoutError, ServerError, SubmitAbortedError } from '../src/errors.js';
import { backoffDelayMs, decideSubmitRetry, parseRetryAfterMs, retryDelayMs } from '../src/retry-policy.js';
import { recordingLogger, refusedPort, startResetAfterRequestServer, startScriptedServer, type ScriptedServer } from './helpers/raw-server.js';

const request = { baseImageUrl: 'https://x/base.png', refPrompt: 'on a table' };
const accepted = (id = 'task-1') => ({ status: 200, body: { output: { task_id: id, task_status: 'PENDING' }, request_id: 'rid-ok' } });
const fastBackoff = { baseDelayMs: 20, maxDelayMs: 40 };
// Each test uses its own key, so the process-wide per-key limiters never couple tests.
let keyCounter = 0;
const freshKey = () => `sk-retry-${process.pid}-${++keyCounter}`;

let servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function scripted(reply: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const s = await startScriptedServer(reply);
  servers.push(s);
  return s;
}

describe('retry policy (pure rules)', () => {
  it('submit: retry only 429 and never-sent failures; flag ambiguous ones', () => {
    expect(decideSubmitRetry({ kind: 'http', status: 429 })).toEqual({ retry: true, mayHaveCreatedTask: false });
    expect(decideSubmitRetry({ kind: 'http', status: 400 })).toEqual({ retry: false, mayHaveCreatedTask: false });
    expect(decideSubmitRetry({ kind: 'http', status: 500 })).toEqual({ retry: false, mayHaveCreatedTask: true });
    expect(decideSubmitRetry({ kind: 'http', status: 503 })).toEqual({ retry: false, mayHaveCreatedTask: true });
    expect(decideSubmitRetry({ kind: 'network', requestSent: false })).toEqual({ retry: true, mayHaveCreatedTask: false });
    expect(decideSubmitRetry({ kind: 'network', requestSent: true })).toEqual({ retry: false, mayHaveCreatedTask: true });
    expect(decideSubmitRetry({ kind: 'timeout', requestSent: true })).toEqual({ retry: false, mayHaveCreatedTask: true });
  });

  it('Retry-After in seconds, HTTP date and retry-after-ms; over the cap ends retrying', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': '0.5' }, now)).toBe(500);
    expect(parseRetryAfterMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, now)).toBe(250);
    expect(parseRetryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfterMs({}, now)).toBeUndefined();
    expect(retryDelayMs(0, 3000, {})).toBe(3000);
    expect(retryDelayMs(0, 61_000, {})).toBeUndefined();
  });

  it('backoff doubles with jitter up to the cap', () => {
    const lo = { random: () => 0.999999 };
    const hi = { random: () => 0 };
    expect(backoffDelayMs(0, hi)).toBe(500);
    expect(backoffDelayMs(1, hi)).toBe(1000);
    expect(backoffDelayMs(3, hi)).toBe(4000);
    expect(backoffDelayMs(10, hi)).toBe(8000);
    expect(backoffDelayMs(1, lo)).toBe(750);
  });
});

describe('submit retries only where no task can exist (real sockets)', () => {
  it('connection reset after the whole request arrived: surfaced with mayHaveCreatedTask, exactly one request seen', async () => {
    const server = await startResetAfterRequestServer();
    servers.push(server);
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, maxRetries: 3, backoff: fastBackoff });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'Connection', mayHaveCreatedTask: true, operation: 'submit' });
    expect((err as Error).message).toMatch(/may have created/);
    await new Promise((r) => setTimeout(r, 200)); // a silent retry would show up here
    expect(server.requestsSeen()).toBe(1);
  });

  it('5xx on submit: surfaced with mayHaveCreatedTask, not resubmitted', async () => {
    const server = await scripted(() => ({ status: 500, body: { code: 'InternalError', message: 'oops', request_id: 'rid-500' } }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, maxRetries: 3, backoff: fastBackoff });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect(err).toMatchObject({ code: 'InternalError', status: 500, requestId: 'rid-500', mayHaveCreatedTask: true, retryable: true });
    expect(server.requests).toHaveLength(1);
  });

  it('no reply within the timeout on submit: surfaced with mayHaveCreatedTask, not resubmitted', async () => {
    const server = await scripted(() => ({ hang: true }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, maxRetries: 3, timeoutMs: 300, backoff: fastBackoff });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestTimeoutError);
    expect(err).toMatchObject({ code: 'Timeout', mayHaveCreatedTask: true });
    expect(server.requests).toHaveLength(1);
  });

  it('429 on submit is retried, honouring Retry-After, then succeeds', async () => {
    const server = await scripted((_req, i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded', request_id: 'r429' } } : accepted(),
    );
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, maxRetries: 2, backoff: fastBackoff });
    const started = Date.now();
    const result = await client.backgroundGeneration.submit(request);
    expect(result).toEqual({ taskId: 'task-1', taskStatus: 'PENDING', requestId: 'rid-ok' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].body).toBe(server.requests[1].body);
  });

  it('429 on every attempt: RateQuotaError after maxRetries, certainly no task', async () => {
    const server = await scripted(() => ({ status: 429, body: { code: 'Throttling.RateQuota', message: 'slow down', request_id: 'r' } }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, maxRetries: 2, backoff: fastBackoff });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateQuotaError);
    expect(err).toMatchObject({ mayHaveCreatedTask: false });
    expect(server.requests).toHaveLength(3);
  });

  it('connection refused: the request never left, so it is retried; then surfaced with mayHaveCreatedTask = false', async () => {
    const port = await refusedPort();
    const logger = recordingLogger();
    const client = new DashScope({ apiKey: freshKey(), baseUrl: `http://127.0.0.1:${port}/api/v1`, maxRetries: 2, backoff: fastBackoff, logger });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ mayHaveCreatedTask: false });
    expect((err as Error).message).toContain('ECONNREFUSED');
    expect(logger.lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
  });

  it('https: a reset during the TLS handshake (no request byte sent) is retried; each attempt is a fresh connection', async () => {
    const { createServer } = await import('node:net');
    let connections = 0;
    const tcp = createServer((socket) => {
      connections++;
      socket.once('data', () => socket.resetAndDestroy()); // the ClientHello arrives; no HTTP yet
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((r) => tcp.close(() => r())) });
    const { port } = tcp.address() as { port: number };
    const client = new DashScope({ apiKey: freshKey(), baseUrl: `https://127.0.0.1:${port}/api/v1`, maxRetries: 2, backoff: fastBackoff });
    const err = await client.backgroundGeneration.submit(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ mayHaveCreatedTask: false });
    expect(connections).toBe(3);
  });

  it('a submit that reaches a refused port first and a live one later succeeds once', async () => {
    // Same port: closed for the first attempt, listening by the retry.
    const port = await refusedPort();
    const logger = recordingLogger();
    const client = new DashScope({ apiKey: freshKey(), baseUrl: `http://127.0.0.1:${port}/api/v1`, maxRetries: 3, backoff: { baseDelayMs: 300, maxDelayMs: 300 }, logger });
    const pending = client.backgroundGeneration.submit(request);
    const { createServer } = await import('node:http');
    let seen = 0;
    const live = createServer((req, res) => {
      seen++;
      req.resume();
      req.on('end', () => res.end(JSON.stringify(accepted('late').body)));
    });
    await new Promise<void>((resolve) => setTimeout(() => live.listen(port, '127.0.0.1', resolve), 50));
    servers.push({ close: () => new Promise<void>((r) => live.close(() => r())) });
    expect((await pending).taskId).toBe('late');
    expect(seen).toBe(1);
  });
});

describe('aborting a submit', () => {
  it('after the request was sent: SubmitAbortedError with mayHaveCreatedTask', async () => {
    const server = await scripted(() => ({ hang: true }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user quit')), 200);
    const err = await client.backgroundGeneration.submit(request, { signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmitAbortedError);
    expect(err).toMatchObject({ code: 'SubmitAborted', mayHaveCreatedTask: true });
    expect((err as SubmitAbortedError).reason).toEqual(new Error('user quit'));
    expect(server.requests).toHaveLength(1);
  });

  it('before anything was sent: rejects with the abort reason, nothing reaches the server', async () => {
    const server = await scripted(() => accepted());
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl });
    await expect(client.backgroundGeneration.submit(request, { signal: AbortSignal.abort(new Error('never mind')) })).rejects.toThrow('never mind');
    expect(server.requests).toHaveLength(0);
  });
});

describe('queries are retried on 429, 5xx and network errors', () => {
  it('503 twice then 200: tasks.get succeeds after 3 requests', async () => {
    const server = await scripted((_req, i) =>
      i < 2 ? { status: 503, body: 'upstream unavailable' } : { status: 200, body: { request_id: 'r', output: { task_id: 't1', task_status: 'RUNNING' } } },
    );
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: fastBackoff });
    expect((await client.tasks.get('t1')).taskStatus).toBe('RUNNING');
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/tasks/t1', '/api/v1/tasks/t1', '/api/v1/tasks/t1']);
  });

  it('a connection reset on a query is retried', async () => {
    const server = await scripted((_req, i) => (i === 0 ? { reset: true } : { status: 200, body: { request_id: 'r', output: { task_id: 't2', task_status: 'SUCCEEDED' } } }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: fastBackoff });
    expect((await client.tasks.get('t2')).taskStatus).toBe('SUCCEEDED');
    expect(server.requests).toHaveLength(2);
  });

  it('Retry-After on a throttled query is waited out', async () => {
    const server = await scripted((_req, i) =>
      i === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { code: 'Throttling.RateQuota', message: 'x' } }
        : { status: 200, body: { output: { task_id: 't', task_status: 'PENDING' } } },
    );
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: fastBackoff });
    const started = Date.now();
    await client.tasks.get('t');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a Retry-After longer than the cap is not waited out: surfaced at once', async () => {
    const server = await scripted(() => ({ status: 429, headers: { 'retry-after': '3600' }, body: { code: 'Throttling', message: 'x' } }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: fastBackoff });
    const started = Date.now();
    await expect(client.tasks.get('t')).rejects.toMatchObject({ code: 'Throttling', status: 429, retryable: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  it('4xx queries are not retried', async () => {
    const server = await scripted(() => ({ status: 400, body: { code: 'InvalidParameter', message: 'bad', request_id: 'r' } }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: fastBackoff });
    await expect(client.tasks.list()).rejects.toMatchObject({ code: 'InvalidParameter' });
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during the backoff sleep rejects with the abort reason at once', async () => {
    const server = await scripted(() => ({ status: 503 }));
    const client = new DashScope({ apiKey: freshKey(), baseUrl: server.baseUrl, backoff: { baseDelayMs: 5000, maxDelayMs: 5000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop now')), 200);
    const started = Date.now();
    await expect(client.tasks.get('t', { signal: controller.signal })).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
