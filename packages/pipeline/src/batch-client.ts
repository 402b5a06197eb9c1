import type { BackgroundGenerationRequest, SubmitResult, Task, TaskList, TaskListFilter, TasksCreatedBetween, TaskWindowFilter } from '@backdrop/api';

/**
 * The part of `@backdrop/api`'s `DashScope` client the batch engine uses (one per API key).
 * Any object with these methods works, e.g. a client wrapped with extra logging.
 */
export interface BatchClient {
  files: {
    upload(input: string | Buffer, options: { model?: string; fileName?: string; reuse?: boolean }): Promise<{ url: string; expiresAt: Date | number | string }>;
  };
  backgroundGeneration: {
    submit(request: BackgroundGenerationRequest, options?: { signal?: AbortSignal }): Promise<SubmitResult>;
  };
  tasks: {
    get(taskId: string, options?: { signal?: AbortSignal }): Promise<Task>;
    list(filter?: TaskListFilter, options?: { signal?: AbortSignal }): Promise<TaskList>;
    /** Reconciliation's safe reading of the task list (a ±14 h query filtered by `gmt_create`). */
    listCreatedBetween(from: number, to: number, filter?: TaskWindowFilter, options?: { signal?: AbortSignal; maxPages?: number }): Promise<TasksCreatedBetween>;
  };
}

/** The facts the engine reads from an error thrown by the client (`DashScopeError` has them all). */
export interface ClientErrorFacts {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
  retryable: boolean;
  mayHaveCreatedTask: boolean;
  userError: boolean;
  /** Milliseconds the service asked us to wait (Retry-After), when known. */
  retryAfterMs?: number;
}

/** Reads an error from the client into plain facts (never its request, which could hold the key). */
export function errorFacts(err: unknown): ClientErrorFacts {
  const e = (err ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const retryAfterMs = num(e.retryAfterMs) ?? (num(e.retryAfter) !== undefined ? (num(e.retryAfter) as number) * 1000 : undefined);
  return {
    code: typeof e.code === 'string' && e.code ? e.code : 'Unknown',
    message: typeof e.message === 'string' ? e.message : String(err),
    ...(num(e.status) !== undefined ? { status: num(e.status) } : {}),
    ...(typeof e.requestId === 'string' ? { requestId: e.requestId } : {}),
    retryable: e.retryable === true,
    mayHaveCreatedTask: e.mayHaveCreatedTask === true,
    userError: e.userError === true,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** 429 `Throttling.AllocationQuota`: the running-task slot is taken. */
export function isSlotBusy(f: ClientErrorFacts): boolean {
  return f.code === 'Throttling.AllocationQuota';
}

/** 429 other than AllocationQuota: too many requests per second. */
export function isRateLimited(f: ClientErrorFacts): boolean {
  return f.status === 429 && !isSlotBusy(f);
}

/** Failures that the same request will meet again: content moderation, invalid parameters, bad input. */
export function isPermanentTaskFailure(code: string | undefined): boolean {
  if (!code) return false;
  return /DataInspection|InvalidParameter|InvalidURL|BadRequest|Arrearage|AccessDenied|InvalidApiKey/i.test(code);
}

/**
 * 400 "Failed to download multimodal content" (or `InvalidURL`): the service could not fetch an input.
 * For an `oss://` URL uploaded in an earlier run this means the file is gone (the service lost it, or it
 * is another service instance, such as a fresh emulator): uploading it again fixes it.
 */
export function isInputDownloadFailure(f: ClientErrorFacts): boolean {
  return f.status === 400 && (f.code === 'InvalidURL' || isInputDownloadTaskFailure(f.code, f.message));
}

/** A task FAILED because the service could not fetch an input (`InternalError.Algo.InvalidParameter`, "Failed to download…"). */
export function isInputDownloadTaskFailure(code: string | undefined, message: string | undefined): boolean {
  return /InvalidParameter/.test(code ?? '') && /failed to download/i.test(message ?? '');
}
