/** Options of `startEmulator`, their defaults, and their checks. */
import { EmulatorOptionsError } from './errors.js';

/** Routes that fault injection can target. */
export type FaultRoute = 'submit' | 'query' | 'cancel' | 'list' | 'policy' | 'upload' | 'result';

/** Every fault-injectable route. */
export const FAULT_ROUTES: readonly FaultRoute[] = ['submit', 'query', 'cancel', 'list', 'policy', 'upload', 'result'];

/** Seeded fault injection. Rates are shares in [0, 1]; each request or task draws once per fault kind. */
export interface EmulatorFaults {
  /** Share of tasks that end `FAILED` instead of `SUCCEEDED` (decided when the task is created). */
  taskFailureRate?: number;
  /** `output.code` of injected task failures (default `InternalError.Algo`). */
  taskFailureCode?: string;
  /** `output.message` of injected task failures. */
  taskFailureMessage?: string;
  /**
   * Share of tasks with `n` ≥ 2 that end `SUCCEEDED` with fewer images than asked (decided when the task is
   * created): 1 to n−1 of its `results` entries carry `code`/`message` instead of `url`, `task_metrics.FAILED`
   * counts them and `usage.image_count` counts only the images made — as DashScope's image models answer.
   */
  partialRate?: number;
  /** `code` of the missing entries of a partial result (default `DataInspectionFailed`). */
  partialFailureCode?: string;
  /** `message` of the missing entries of a partial result. */
  partialFailureMessage?: string;
  /** Share of requests answered 500 `InternalError` (no side effect: a submit creates no task). */
  serverErrorRate?: number;
  /** Share of requests whose reply is delayed by `slowReplyMs`. */
  slowReplyRate?: number;
  /** Delay of a slow reply in ms (default 2000). */
  slowReplyMs?: number;
  /** Share of requests whose connection is destroyed without a reply. */
  dropConnectionRate?: number;
  /**
   * For dropped submits: `true` = the task is created first and then the connection is dropped (the client
   * cannot know the task exists); `false` (default) = dropped before anything happens.
   */
  dropAfterCreate?: boolean;
  /** Routes the request faults apply to (default: all of `FAULT_ROUTES`). */
  routes?: FaultRoute[];
}

/** What the emulator logs to; `console` fits. API keys never reach it (only fingerprints). */
export interface EmulatorLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

/** Options of `startEmulator`. Every field is optional. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Accepted API keys; default: any non-empty key. Each key is its own account (own limits and tasks). */
  apiKeys?: string[];
  /**
   * Submit calls allowed per key in any sliding second (default 2, the service's). Every call counts, refused
   * ones included (the service's gateway counts calls): a client that keeps calling while refused stays refused.
   * Raise it to emulate an account with a raised limit.
   */
  submitQps?: number;
  /** Same as `submitQps`, named like `backdrop batch --max-qps`; give one of the two. */
  maxQps?: number;
  /** Running tasks per key (default 1). */
  maxRunning?: number;
  /** Task queries (`GET /tasks/{id}` and list) per key in any sliding second (default 20). */
  queryQps?: number;
  /** Same as `queryQps`, named like `backdrop batch --max-queries`; give one of the two. */
  maxQueries?: number;
  /**
   * What happens to a submit while `maxRunning` tasks are unfinished: `queue` (default) keeps it `PENDING`
   * (FIFO); `reject` answers 429 `Throttling.AllocationQuota` and creates no task.
   */
  concurrencyPolicy?: 'queue' | 'reject';
  /** Time a task spends `RUNNING`, ms: fixed, or `[min, max]` drawn per task (default `[1500, 3000]`). */
  taskMs?: number | [number, number];
  /** Minimum time a task stays `PENDING` before it may start, ms (default `[20, 60]`). */
  pendingMs?: number | [number, number];
  /**
   * Multiplies the service's lifetimes: 24 h for finished tasks and result URLs, 48 h for uploads
   * (default 1). E.g. `1e-5` makes a finished task expire after 0.864 s.
   */
  timeScale?: number;
  /** Seed for all randomness: run times, faults, generated colours (default 1). */
  seed?: number;
  /** Fault injection (default: none). */
  faults?: EmulatorFaults;
  /** Largest accepted upload in MiB, also sent as `max_file_size_mb` in policies (default 64). */
  maxUploadMb?: number;
  /**
   * Memory for uploaded files in MiB, all keys together (default 1024; at least `maxUploadMb`). Past it,
   * expired files are dropped first, then the oldest ones before their 48 h (a submit using one is then
   * refused like one using an expired file: 400 "Failed to download multimodal content…", so clients that
   * re-upload lost inputs recover) and a warning is logged. A local server never grows without bound.
   */
  maxUploadMemoryMb?: number;
  /** Time limit for downloading one http(s) input, ms (default 15000). */
  downloadTimeoutMs?: number;
  /**
   * Where an input that cannot be downloaded (an unknown or expired `oss://` file, an unreachable URL)
   * is reported; the service documents both: `'submit'` (default) refuses the submit with 400
   * `InvalidParameter` "Failed to download multimodal content…", creating no task; `'task'` accepts
   * it and the task ends `FAILED` with `InternalError.Algo.InvalidParameter` and that message.
   */
  inputDownloadFailure?: 'submit' | 'task';
  /**
   * Memory for result images in MiB (default 1024). Past it the oldest images are dropped before their
   * 24 h (their URLs answer 403 like expired ones) and a warning is logged.
   */
  maxResultMemoryMb?: number;
  /** Logger for requests (debug) and problems (warn/error). Default: silent. */
  logger?: EmulatorLogger;
}

/** Options after defaults. */
export interface EmulatorConfig {
  port: number;
  host: string;
  apiKeys: ReadonlySet<string> | undefined;
  submitQps: number;
  maxRunning: number;
  queryQps: number;
  concurrencyPolicy: 'queue' | 'reject';
  taskMs: [number, number];
  pendingMs: [number, number];
  timeScale: number;
  seed: number;
  faults: Required<Omit<EmulatorFaults, 'routes'>> & { routes: ReadonlySet<FaultRoute> };
  maxUploadBytes: number;
  maxUploadMemoryBytes: number;
  downloadTimeoutMs: number;
  inputDownloadFailure: 'submit' | 'task';
  maxResultBytes: number;
  logger: EmulatorLogger;
}

/** The service's lifetime of finished tasks and result URLs. */
export const TASK_LIFETIME_MS = 24 * 3600_000;
/** The service's lifetime of uploaded files. */
export const UPLOAD_LIFETIME_MS = 48 * 3600_000;

function check(condition: boolean, message: string): void {
  if (!condition) throw new EmulatorOptionsError(message);
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  check(Number.isInteger(v) && v >= 1, `${name} must be a whole number ≥ 1 (got ${String(value)}).`);
  return v;
}

/** The value of an option that has two names; both given with different values is a mistake. */
function oneOf(name: string, value: number | undefined, alias: string, aliasValue: number | undefined): number | undefined {
  check(value === undefined || aliasValue === undefined || value === aliasValue, `${name} and ${alias} are the same limit; give one of them.`);
  return value ?? aliasValue;
}

function rate(name: string, value: number | undefined): number {
  const v = value ?? 0;
  check(typeof v === 'number' && v >= 0 && v <= 1, `faults.${name} must be a share between 0 and 1 (got ${String(value)}).`);
  return v;
}

function range(name: string, value: number | [number, number] | undefined, fallback: [number, number]): [number, number] {
  const v: [number, number] = value === undefined ? fallback : typeof value === 'number' ? [value, value] : value;
  check(
    Array.isArray(v) && v.length === 2 && v.every((x) => Number.isFinite(x) && x >= 0) && v[0] <= v[1],
    `${name} must be a number of ms ≥ 0 or a [min, max] pair with min ≤ max (got ${JSON.stringify(value)}).`,
  );
  return [v[0], v[1]];
}

/** Applies defaults and checks every option; throws `EmulatorOptionsError` naming the bad one. */
export function resolveOptions(options: EmulatorOptions = {}): EmulatorConfig {
  const port = options.port ?? 0;
  check(Number.isInteger(port) && port >= 0 && port <= 65535, `port must be 0–65535 (got ${String(options.port)}).`);
  const apiKeys = options.apiKeys;
  if (apiKeys !== undefined) {
    check(
      Array.isArray(apiKeys) && apiKeys.length > 0 && apiKeys.every((k) => typeof k === 'string' && k.trim() !== ''),
      'apiKeys must be a non-empty list of non-empty keys (leave it out to accept any key).',
    );
  }
  const policy = options.concurrencyPolicy ?? 'queue';
  check(policy === 'queue' || policy === 'reject', `concurrencyPolicy must be "queue" or "reject" (got ${String(policy)}).`);
  const timeScale = options.timeScale ?? 1;
  check(Number.isFinite(timeScale) && timeScale > 0, `timeScale must be a number > 0 (got ${String(options.timeScale)}).`);
  const seed = options.seed ?? 1;
  check(Number.isFinite(seed), `seed must be a number (got ${String(options.seed)}).`);
  const faults = options.faults ?? {};
  const routes = faults.routes ?? [...FAULT_ROUTES];
  check(Array.isArray(routes) && routes.every((r) => FAULT_ROUTES.includes(r)), `faults.routes must list routes among ${FAULT_ROUTES.join(', ')}.`);
  const slowReplyMs = faults.slowReplyMs ?? 2000;
  check(Number.isFinite(slowReplyMs) && slowReplyMs >= 0, 'faults.slowReplyMs must be a number of ms ≥ 0.');
  const maxUploadMb = options.maxUploadMb ?? 64;
  check(Number.isFinite(maxUploadMb) && maxUploadMb > 0, 'maxUploadMb must be a number > 0.');
  const maxUploadMemoryMb = options.maxUploadMemoryMb ?? Math.max(1024, maxUploadMb);
  check(
    Number.isFinite(maxUploadMemoryMb) && maxUploadMemoryMb >= maxUploadMb,
    `maxUploadMemoryMb must be a number ≥ maxUploadMb (${maxUploadMb}); got ${String(options.maxUploadMemoryMb)}.`,
  );
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 15_000;
  check(Number.isFinite(downloadTimeoutMs) && downloadTimeoutMs > 0, 'downloadTimeoutMs must be a number of ms > 0.');
  const inputDownloadFailure = options.inputDownloadFailure ?? 'submit';
  check(inputDownloadFailure === 'submit' || inputDownloadFailure === 'task', `inputDownloadFailure must be "submit" or "task" (got ${String(options.inputDownloadFailure)}).`);
  const maxResultMemoryMb = options.maxResultMemoryMb ?? 1024;
  check(Number.isFinite(maxResultMemoryMb) && maxResultMemoryMb > 0, 'maxResultMemoryMb must be a number > 0.');
  return {
    port,
    host: options.host ?? '127.0.0.1',
    apiKeys: apiKeys ? new Set(apiKeys) : undefined,
    submitQps: positiveInt('submitQps', oneOf('submitQps', options.submitQps, 'maxQps', options.maxQps), 2),
    maxRunning: positiveInt('maxRunning', options.maxRunning, 1),
    queryQps: positiveInt('queryQps', oneOf('queryQps', options.queryQps, 'maxQueries', options.maxQueries), 20),
    concurrencyPolicy: policy,
    taskMs: range('taskMs', options.taskMs, [1500, 3000]),
    pendingMs: range('pendingMs', options.pendingMs, [20, 60]),
    timeScale,
    seed,
    faults: {
      taskFailureRate: rate('taskFailureRate', faults.taskFailureRate),
      taskFailureCode: faults.taskFailureCode ?? 'InternalError.Algo',
      taskFailureMessage: faults.taskFailureMessage ?? 'Algorithm process error (injected by the emulator).',
      partialRate: rate('partialRate', faults.partialRate),
      partialFailureCode: faults.partialFailureCode ?? 'DataInspectionFailed',
      partialFailureMessage: faults.partialFailureMessage ?? 'Output data may contain inappropriate content.',
      serverErrorRate: rate('serverErrorRate', faults.serverErrorRate),
      slowReplyRate: rate('slowReplyRate', faults.slowReplyRate),
      slowReplyMs,
      dropConnectionRate: rate('dropConnectionRate', faults.dropConnectionRate),
      dropAfterCreate: faults.dropAfterCreate ?? false,
      routes: new Set(routes),
    },
    maxUploadBytes: Math.floor(maxUploadMb * 1024 * 1024),
    maxUploadMemoryBytes: Math.floor(maxUploadMemoryMb * 1024 * 1024),
    downloadTimeoutMs,
    inputDownloadFailure,
    maxResultBytes: Math.floor(maxResultMemoryMb * 1024 * 1024),
    logger: options.logger ?? {},
  };
}
