/**
 * The one request function every call goes through: URL, auth and DashScope headers, timeout,
 * abort, the per-key query and submit limiters (a slot per attempt), retries (by the rules in retry-policy.ts) and the translation of any
 * failure into a typed, secret-free DashScopeError.
 */
import http from 'node:http';
import https from 'node:https';
import type { Got } from 'got';
import { redactSecrets } from './api-key.js';
import { abortableSleep } from './abortable-sleep.js';
import { ConnectionError, type DashScopeError, errorFromResponse, RequestTimeoutError, SubmitAbortedError, UnexpectedResponseError, type DashScopeOperation } from './errors.js';
import type { RequestLimiter } from './query-limiter.js';
import { decideSubmitRetry, isRetryableQueryFailure, parseRetryAfterMs, retryDelayMs, type AttemptFailure, type BackoffOptions } from './retry-policy.js';
import type { Logger } from './types.js';

let gotLoading: Promise<Got> | undefined;

/**
 * got, loaded on the first request: programs that import this package only for its checks and errors
 * (`@backdrop/edge`, and through it `backdrop edge`) do not load the HTTP stack.
 */
function loadGot(): Promise<Got> {
  return (gotLoading ??= import('got').then((m) => m.default));
}

/** Settings shared by every call of one client. */
export interface TransportConfig {
  workspace: string | undefined;
  baseUrl: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger | undefined;
  userAgent: string;
  backoff: BackoffOptions;
  /** Per-key limiter of task queries (≤ 20/s for the account); none when the caller paces. */
  queryLimiter: RequestLimiter | undefined;
  /** Per-key limiter of submits (the model allows 2/s); none when the caller paces. */
  submitLimiter: RequestLimiter | undefined;
}

/** A reply as received. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One logical call (possibly several attempts). */
export interface HttpCall {
  operation: DashScopeOperation;
  method: 'GET' | 'POST';
  /** A path under the base URL (`tasks/abc`) or an absolute URL (the OSS upload host). */
  url: string;
  searchParams?: Record<string, string | number>;
  json?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** Send `Authorization` and `X-DashScope-WorkSpace` (never to the OSS upload host). */
  authenticated: boolean;
  /** `submit`: retried only when no task can exist (retry-policy.ts). `query`: safe to repeat. */
  retryRule: 'query' | 'submit';
  /** The per-key limiter to take a slot of before each attempt (none for policy and OSS calls). */
  rateLimit?: 'query' | 'submit';
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
  /** Statuses ≥ 400 that are answers rather than failures. */
  acceptStatuses?: readonly number[];
  /** Builds the error for a failed reply; default: DashScope's `{code, message, request_id}`. */
  errorFromReply?: (reply: HttpReply, operation: DashScopeOperation) => DashScopeError;
}

const NEVER_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** Reads a header as one string. */
export function headerValue(headers: HttpReply['headers'], name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Parses text as a JSON object, or undefined. */
function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Performs HTTP calls for one client. */
export class Transport {
  /** Submits never reuse a kept-alive socket: a stale socket would make a reset ambiguous. */
  private readonly freshAgents = { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) };

  /** A true private field: never shown by util.inspect, JSON.stringify or a debugger's object preview. */
  readonly #apiKey: string;

  constructor(
    apiKey: string,
    readonly config: TransportConfig,
  ) {
    this.#apiKey = apiKey;
  }

  /** Scrubs the API key out of a text. */
  redact(text: string): string {
    return redactSecrets(text, this.#apiKey);
  }

  /** Sends a call, retrying as its rule allows; resolves with a successful (or accepted) reply. */
  async send(call: HttpCall): Promise<HttpReply> {
    const maxRetries = call.maxRetries ?? this.config.maxRetries;
    const got = await loadGot();
    const url = /^https?:\/\//i.test(call.url) ? new URL(call.url) : new URL(call.url.replace(/^\/+/, ''), this.config.baseUrl.replace(/\/*$/, '/'));
    for (let attempt = 0; ; attempt++) {
      const limiter = call.rateLimit === 'query' ? this.config.queryLimiter : call.rateLimit === 'submit' ? this.config.submitLimiter : undefined;
      const release = limiter ? await limiter.acquire(call.signal) : undefined;
      const started = Date.now();
      let failure: AttemptFailure;
      let error: DashScopeError;
      let retryAfterMs: number | undefined;
      try {
        let reply: HttpReply;
        try {
          reply = await this.attempt(got, call, url);
        } finally {
          release?.();
        }
        const ms = Date.now() - started;
        if (reply.status < 400 || call.acceptStatuses?.includes(reply.status)) {
          this.config.logger?.debug(`dashscope ${call.operation} ${call.method} ${url.pathname} -> ${reply.status} in ${ms} ms`);
          return reply;
        }
        error = (call.errorFromReply ?? this.dashScopeErrorFromReply)(reply, call.operation);
        failure = { kind: 'http', status: reply.status };
        retryAfterMs = parseRetryAfterMs(reply.headers);
        error.retryAfterMs = retryAfterMs;
      } catch (thrown) {
        if (call.signal?.aborted) {
          if (call.retryRule === 'submit' && requestMayHaveLeft(thrown, url)) throw new SubmitAbortedError(call.signal.reason);
          throw call.signal.reason;
        }
        ({ failure, error } = this.networkFailure(thrown, call, url));
      }

      let retry: boolean;
      if (call.retryRule === 'submit') {
        const decision = decideSubmitRetry(failure);
        retry = decision.retry;
        if (decision.mayHaveCreatedTask) markMayHaveCreatedTask(error);
      } else {
        retry = isRetryableQueryFailure(failure);
      }
      const delay = retry && attempt < maxRetries ? retryDelayMs(attempt, retryAfterMs, this.config.backoff) : undefined;
      if (delay === undefined) {
        this.config.logger?.debug(`dashscope ${call.operation} failed: [${error.code}] ${error.message}`);
        throw error;
      }
      this.config.logger?.warn(
        `dashscope ${call.operation} attempt ${attempt + 1} failed ([${error.code}]${error.status ? ` HTTP ${error.status}` : ''}); retrying in ${delay} ms`,
      );
      await abortableSleep(delay, call.signal);
    }
  }

  /** Sends a call and parses the reply as a JSON object. */
  async sendJson(call: HttpCall): Promise<{ body: Record<string, unknown>; reply: HttpReply }> {
    const reply = await this.send(call);
    const body = parseJsonObject(reply.text);
    if (!body) {
      const error = new UnexpectedResponseError(
        'UnexpectedResponse',
        `DashScope ${call.operation} answered HTTP ${reply.status} with a body that is not a JSON object: ${JSON.stringify(this.redact(reply.text.slice(0, 200)))}. Check DASHSCOPE_HTTP_BASE_URL points at the DashScope API (…/api/v1).`,
        { status: reply.status, requestId: headerValue(reply.headers, 'x-request-id'), operation: call.operation },
      );
      if (call.retryRule === 'submit') markMayHaveCreatedTask(error);
      throw error;
    }
    return { body, reply };
  }

  private async attempt(got: Got, call: HttpCall, url: URL): Promise<HttpReply> {
    const headers: Record<string, string> = { 'user-agent': this.config.userAgent, accept: 'application/json', ...call.headers };
    if (call.authenticated) {
      headers.authorization = `Bearer ${this.#apiKey}`;
      if (this.config.workspace) headers['x-dashscope-workspace'] = this.config.workspace;
    }
    let body: string | FormData | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    } else if (call.form) {
      body = call.form;
    }
    const response = await got(url, {
      method: call.method,
      headers,
      body,
      searchParams: call.searchParams,
      timeout: { request: call.timeoutMs ?? this.config.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      // The API never redirects; following one could carry the Authorization header elsewhere.
      followRedirect: false,
      responseType: 'text',
      signal: call.signal,
      ...(call.retryRule === 'submit' ? { agent: this.freshAgents } : {}),
    });
    return { status: response.statusCode, headers: response.headers, text: response.body };
  }

  /** Default error for a DashScope reply: its JSON `{code, message, request_id}`. */
  private readonly dashScopeErrorFromReply = (reply: HttpReply, operation: DashScopeOperation): DashScopeError => {
    const body = parseJsonObject(reply.text);
    const code = typeof body?.code === 'string' ? body.code : undefined;
    const message = typeof body?.message === 'string' ? body.message : body ? undefined : reply.text.slice(0, 200).trim() || undefined;
    const requestId = (typeof body?.request_id === 'string' ? body.request_id : undefined) ?? headerValue(reply.headers, 'x-request-id');
    return errorFromResponse(reply.status, code, message === undefined ? undefined : this.redact(message), requestId, operation);
  };

  /** Turns a thrown network/timeout error into a failure description and a safe error. */
  private networkFailure(thrown: unknown, call: HttpCall, url: URL): { failure: AttemptFailure; error: DashScopeError } {
    const e = (thrown ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'UNKNOWN';
    const rawMessage = typeof e.message === 'string' ? e.message : String(thrown);
    const requestSent = requestMayHaveLeft(thrown, url);
    const where = `${url.protocol}//${url.host}`;
    if (e.name === 'TimeoutError' || code === 'ETIMEDOUT') {
      const ms = call.timeoutMs ?? this.config.timeoutMs;
      return {
        failure: { kind: 'timeout', requestSent },
        error: new RequestTimeoutError('Timeout', `DashScope ${call.operation} got no reply from ${where} within ${ms} ms. Retry later, or raise timeoutMs.`, {
          retryable: true,
          operation: call.operation,
        }),
      };
    }
    return {
      failure: { kind: 'network', requestSent },
      error: new ConnectionError(
        'Connection',
        `DashScope ${call.operation} could not talk to ${where} (${code}: ${this.redact(rawMessage)}). Check the network, proxy settings and DASHSCOPE_HTTP_BASE_URL.`,
        { retryable: true, operation: call.operation },
      ),
    };
  }
}

/**
 * Whether any byte of the request may have reached the server: false only when the connection
 * (TCP for http, TLS for https) was never established. Exact for submits, which always use a fresh
 * connection; a reused keep-alive socket counts as connected (got stamps its timings at reuse).
 */
function requestMayHaveLeft(thrown: unknown, url: URL): boolean {
  const e = (thrown ?? {}) as { code?: unknown; timings?: { connect?: number; secureConnect?: number } };
  if (typeof e.code === 'string' && NEVER_CONNECTED_CODES.has(e.code)) return false;
  if (!e.timings) return true;
  return (url.protocol === 'https:' ? e.timings.secureConnect : e.timings.connect) !== undefined;
}

/** Flags a submit error as possibly having created a task, and says so in its message. */
export function markMayHaveCreatedTask(error: DashScopeError): void {
  if (error.mayHaveCreatedTask) return;
  error.mayHaveCreatedTask = true;
  error.message += ' The service may have created (and will bill) the task anyway: look for it (tasks.list, or the batch journal) before submitting again.';
}
