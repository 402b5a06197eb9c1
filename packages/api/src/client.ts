/**
 * `DashScope`: configuration (options, then environment) and the wiring of the resources.
 */
import { apiKeyFingerprint } from './api-key.js';
import { readApiKeysFromEnv } from './env-keys.js';
import { MissingApiKeyError } from './errors.js';
import { USER_AGENT } from './package-version.js';
import { DEFAULT_QUERIES_PER_SECOND, sharedQueryLimiter, type RequestLimiter } from './query-limiter.js';
import { BackgroundGeneration } from './resources/background-generation.js';
import { Files } from './resources/files.js';
import { Tasks } from './resources/tasks.js';
import type { BackoffOptions } from './retry-policy.js';
import { Transport } from './transport.js';
import type { Logger } from './types.js';

/** The default API endpoint (mainland China region). */
export const DEFAULT_BASE_URL = 'https://dashscope.aliyuncs.com/api/v1';
/** Submits allowed per second per account for this model. */
const SUBMITS_PER_SECOND = 2;

/**
 * Client-side pacing of one key's task queries and submits. A number is a rate per sliding second
 * (a limiter shared by every client of the key in the process; the first client fixes it); a
 * `RequestLimiter` is used as given; `false` sends unpaced (the caller paces, e.g. a batch lane).
 */
export interface ClientLimits {
  /** Task queries (get, list): default 18 per second, under the service's 20. */
  queries?: number | RequestLimiter | false;
  /** Submits: default 2 per second, the model's limit. */
  submits?: number | RequestLimiter | false;
}

/** Options of `new DashScope()`. Unset options come from the environment, then defaults. */
export interface DashScopeOptions {
  /** API key; default `DASHSCOPE_API_KEY` (else the first of `DASHSCOPE_API_KEYS`). Never logged or put in an error. */
  apiKey?: string;
  /** Workspace id (`X-DashScope-WorkSpace`; required for sub-account keys); default `DASHSCOPE_WORKSPACE`. */
  workspace?: string;
  /** API base; default `DASHSCOPE_HTTP_BASE_URL`, then `https://dashscope.aliyuncs.com/api/v1`. */
  baseUrl?: string;
  /** Per-attempt timeout of API calls in ms (default 60 000). */
  timeoutMs?: number;
  /** Retries of a failed call, where the retry rules allow one (default 3). */
  maxRetries?: number;
  /** Receives debug/info/warn lines; never the API key. */
  logger?: Logger;
  /**
   * Task queries per second for this key, shared by every client in the process (default 18,
   * under the service's 20). The first client created for a key fixes it.
   */
  queriesPerSecond?: number;
  /**
   * Client-side pacing per key (see {@link ClientLimits}); `false` turns both limiters off, for a
   * caller that owns the key's pacing itself. `limits.queries` overrides `queriesPerSecond`.
   */
  limits?: ClientLimits | false;
  /** Backoff between retries. */
  backoff?: BackoffOptions;
}

/** Client of the DashScope API for wanx-background-generation-v2. */
export class DashScope {
  /** Submit and generate. */
  readonly backgroundGeneration: BackgroundGeneration;
  /** Query, wait for, cancel and list tasks. */
  readonly tasks: Tasks;
  /** Temporary uploads (`oss://` URLs). */
  readonly files: Files;
  /** `key_…`: names the API key in logs and journals without revealing it. */
  readonly keyFingerprint: string;
  /** The API base URL in use. */
  readonly baseUrl: string;
  /** The workspace in use, if any. */
  readonly workspace: string | undefined;

  constructor(options: DashScopeOptions = {}) {
    const apiKey = (options.apiKey ?? readApiKeysFromEnv(process.env)[0] ?? '').trim();
    if (!apiKey) {
      throw new MissingApiKeyError('MissingApiKey', 'No DashScope API key: set DASHSCOPE_API_KEY (Model Studio console → API keys) or pass apiKey.', { userError: true });
    }
    this.keyFingerprint = apiKeyFingerprint(apiKey);
    this.baseUrl = (options.baseUrl ?? process.env.DASHSCOPE_HTTP_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.workspace = options.workspace ?? (process.env.DASHSCOPE_WORKSPACE || undefined);
    const transport = new Transport(apiKey, {
      workspace: this.workspace,
      baseUrl: this.baseUrl,
      timeoutMs: options.timeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 3,
      logger: options.logger,
      userAgent: USER_AGENT,
      backoff: options.backoff ?? {},
      queryLimiter: pickLimiter(options.limits === false ? false : options.limits?.queries, this.keyFingerprint, options.queriesPerSecond ?? DEFAULT_QUERIES_PER_SECOND),
      submitLimiter: pickLimiter(options.limits === false ? false : options.limits?.submits, `submit:${this.keyFingerprint}`, SUBMITS_PER_SECOND),
    });
    this.tasks = new Tasks(transport);
    this.files = new Files(transport);
    this.backgroundGeneration = new BackgroundGeneration(transport, this.tasks, this.files);
  }
}

/** The limiter a `ClientLimits` entry asks for; undefined when pacing is off. */
function pickLimiter(setting: number | RequestLimiter | false | undefined, name: string, fallbackRate: number): RequestLimiter | undefined {
  if (setting === false) return undefined;
  if (typeof setting === 'object') return setting;
  return sharedQueryLimiter(name, setting ?? fallbackRate);
}
