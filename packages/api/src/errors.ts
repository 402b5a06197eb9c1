/**
 * Every error @backdrop/api throws, and the mapping from a DashScope reply (HTTP status + `code`)
 * to the right class.
 *
 * Rules every class follows:
 * - `code` is stable: the DashScope code when the service sent one (e.g. `Throttling.RateQuota`),
 *   otherwise one of this package's own (`RequestValidation`, `Connection`, `Timeout`, …).
 * - `userError` marks problems the user fixes (bad input, bad key, no balance); the CLI exits 2.
 * - The message says what to do. It never contains the API key: messages are built here from
 *   fields we chose, and text from elsewhere (server messages, socket errors) is passed through
 *   `redactSecrets` first. No error keeps got's RequestError (which holds the request headers) as a
 *   property or `cause`.
 */
import type { Task, TaskStatus, ValidationIssue } from './types.js';

/** Where an error came from; `submit` errors carry a meaningful `mayHaveCreatedTask`. */
export type DashScopeOperation = 'submit' | 'tasks.get' | 'tasks.cancel' | 'tasks.list' | 'tasks.wait' | 'files.policy' | 'files.upload' | 'generate';

/** Optional facts attached to a DashScope error. */
export interface DashScopeErrorDetails {
  status?: number;
  requestId?: string;
  userError?: boolean;
  retryable?: boolean;
  mayHaveCreatedTask?: boolean;
  operation?: DashScopeOperation;
}

/** Base class of every error this package throws. */
export class DashScopeError extends Error {
  /** Stable machine-readable code: the DashScope code, or this package's own. */
  readonly code: string;
  /** HTTP status of the reply, when there was one. */
  readonly status: number | undefined;
  /** DashScope `request_id`, when the service sent one: quote it to Alibaba Cloud support. */
  readonly requestId: string | undefined;
  /** True when the user's input or configuration is at fault (the CLI exits 2). */
  readonly userError: boolean;
  /** True when the same call may succeed later (throttling, server or network trouble). */
  readonly retryable: boolean;
  /**
   * For submits: true when the service may have created (and will bill) a task even though this
   * call failed — e.g. the connection dropped after the request was sent. Journal it as a possible
   * duplicate; don't resubmit blindly. False when the service certainly created nothing.
   */
  mayHaveCreatedTask: boolean;
  /** Which call failed. */
  operation: DashScopeOperation | undefined;
  /** The pause the service asked for (`Retry-After`), in ms, when it sent one. */
  retryAfterMs: number | undefined;

  constructor(code: string, message: string, details: DashScopeErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = details.status;
    this.requestId = details.requestId;
    this.userError = details.userError ?? false;
    this.retryable = details.retryable ?? false;
    this.mayHaveCreatedTask = details.mayHaveCreatedTask ?? false;
    this.operation = details.operation;
    this.retryAfterMs = undefined;
  }

  /** A plain, secret-free object for logs and journals. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      userError: this.userError,
      retryable: this.retryable,
      mayHaveCreatedTask: this.mayHaveCreatedTask,
      operation: this.operation,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** 401 `InvalidApiKey`: the key is wrong, revoked, or for another region. */
export class AuthenticationError extends DashScopeError {}
/** 403 `AccessDenied*`: the key may not use this model or workspace. */
export class PermissionDeniedError extends DashScopeError {}
/** 400 (and 413): the service refused the request as given. */
export class BadRequestError extends DashScopeError {}
/** 400 `InvalidParameter*`, `InvalidURL`, `BadRequest.*`: a parameter or input URL is wrong. */
export class InvalidParameterError extends BadRequestError {}
/** 400 `DataInspectionFailed` / `*.DataInspection*`: content moderation refused an input. */
export class ContentModerationError extends BadRequestError {}
/** 400 `Arrearage`: the Alibaba Cloud account is in arrears. */
export class ArrearsError extends BadRequestError {}
/** 400 `UnsupportedOperation`, e.g. cancelling a task that is no longer PENDING. */
export class UnsupportedOperationError extends BadRequestError {}
/** 404, e.g. `ModelNotFound`. */
export class NotFoundError extends DashScopeError {}
/** 429 `Throttling*`: too many requests or tasks. */
export class RateLimitError extends DashScopeError {}
/** 429 `Throttling.RateQuota`: over the requests-per-second limit. */
export class RateQuotaError extends RateLimitError {}
/** 429 `Throttling.AllocationQuota`: over the concurrent-task limit (1 running task for this model). */
export class AllocationQuotaError extends RateLimitError {}
/** 5xx: the service failed. */
export class ServerError extends DashScopeError {}
/** No reply within `timeoutMs` (code `Timeout`), or the service's own 408 `RequestTimeOut`. */
export class RequestTimeoutError extends DashScopeError {}
/** The connection failed: refused, reset, DNS, TLS (code `Connection`). */
export class ConnectionError extends DashScopeError {}
/** A reply this client cannot read (not JSON, or missing required fields) (code `UnexpectedResponse`). */
export class UnexpectedResponseError extends DashScopeError {}
/** No API key configured (code `MissingApiKey`). */
export class MissingApiKeyError extends DashScopeError {}

/** The request breaks the service's rules; nothing was sent (code `RequestValidation`). */
export class RequestValidationError extends DashScopeError {
  /** Every problem found, with field paths. */
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    const list = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    super(
      'RequestValidation',
      `The background-generation request is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}): ${list}. Fix these fields and retry; nothing was sent.`,
      { userError: true },
    );
    this.issues = issues;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Base of the errors about a task that ended without results. Carries the final task. */
export class TaskEndedError extends DashScopeError {
  readonly taskId: string;
  readonly taskStatus: TaskStatus;
  readonly task: Task;
  constructor(code: string, message: string, task: Task) {
    super(code, message, { requestId: task.requestId, operation: 'tasks.wait' });
    this.taskId = task.taskId;
    this.taskStatus = task.taskStatus;
    this.task = task;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), taskId: this.taskId, taskStatus: this.taskStatus };
  }
}

/** The task ended `FAILED` (code `TaskFailed`; the service's reason in `taskCode`/`taskMessage`). */
export class TaskFailedError extends TaskEndedError {
  readonly taskCode: string | undefined;
  readonly taskMessage: string | undefined;
  constructor(task: Task) {
    super(
      'TaskFailed',
      `Task ${task.taskId} failed: [${task.code ?? 'unknown'}] ${task.message ?? 'no reason given'}. Check the inputs named in the reason (URLs must be reachable and uploads less than 48 h old), then submit again.`,
      task,
    );
    this.taskCode = task.code;
    this.taskMessage = task.message;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), taskCode: this.taskCode, taskMessage: this.taskMessage };
  }
}

/** The task ended `CANCELED` (code `TaskCanceled`). */
export class TaskCanceledError extends TaskEndedError {
  constructor(task: Task) {
    super('TaskCanceled', `Task ${task.taskId} was canceled; submit it again if you still need it.`, task);
  }
}

/** The service answered `UNKNOWN`: no such task, or it finished more than ~24 h ago (code `TaskUnknown`). */
export class TaskUnknownError extends TaskEndedError {
  constructor(task: Task) {
    super(
      'TaskUnknown',
      `Task ${task.taskId} is unknown to the service: the id is wrong, belongs to another account, or the task expired (tasks are kept about 24 h). Submit it again.`,
      task,
    );
  }
}

/** `tasks.wait` gave up after `timeoutMs`; the task may still finish (code `WaitTimeout`). */
export class WaitTimeoutError extends DashScopeError {
  readonly taskId: string;
  readonly lastStatus: TaskStatus | undefined;
  constructor(taskId: string, timeoutMs: number, lastStatus: TaskStatus | undefined) {
    super(
      'WaitTimeout',
      `Gave up waiting for task ${taskId} after ${timeoutMs} ms (last status ${lastStatus ?? 'unknown'}). The task may still finish: query it later with its id instead of submitting again.`,
      { retryable: true, operation: 'tasks.wait' },
    );
    this.taskId = taskId;
    this.lastStatus = lastStatus;
  }
}

/**
 * A submit was aborted (AbortSignal) after its request may have reached the service (code
 * `SubmitAborted`, `mayHaveCreatedTask = true`). An abort before anything was sent rejects with the
 * signal's reason instead.
 */
export class SubmitAbortedError extends DashScopeError {
  /** The signal's abort reason. */
  readonly reason: unknown;
  constructor(reason: unknown) {
    super(
      'SubmitAborted',
      'The submit was aborted after its request was sent. The service may have created (and will bill) the task: look for it (tasks.list, or the batch journal) before submitting again.',
      { mayHaveCreatedTask: true, operation: 'submit' },
    );
    this.reason = reason;
  }
}

/** A local input cannot be read (code `InputFile`). */
export class InputFileError extends DashScopeError {}
/** A file is larger than the upload policy allows (code `FileTooLarge`). */
export class FileTooLargeError extends DashScopeError {}
/** The OSS form upload failed (code = OSS's `<Code>`, or `UploadFailed`). */
export class UploadError extends DashScopeError {}

type ErrorClass = new (code: string, message: string, details?: DashScopeErrorDetails) => DashScopeError;

interface Classification {
  cls: ErrorClass;
  userError: boolean;
  retryable: boolean;
  hint: string;
}

/** Picks the class, user/retry flags and advice for a DashScope error reply. */
function classify(status: number, code: string): Classification {
  if (code === 'Arrearage') {
    return { cls: ArrearsError, userError: true, retryable: false, hint: 'Top up the Alibaba Cloud account (Model Studio billing), then retry.' };
  }
  if (/DataInspection/i.test(code)) {
    return { cls: ContentModerationError, userError: true, retryable: false, hint: 'Content moderation refused an input image or text; change that input.' };
  }
  if (code === 'UnsupportedOperation') {
    return { cls: UnsupportedOperationError, userError: true, retryable: false, hint: 'Only PENDING tasks can be canceled.' };
  }
  if (status === 401 || code === 'InvalidApiKey') {
    return { cls: AuthenticationError, userError: true, retryable: false, hint: 'Check DASHSCOPE_API_KEY (and that the key belongs to the region of the base URL).' };
  }
  if (status === 403) {
    return {
      cls: PermissionDeniedError,
      userError: true,
      retryable: false,
      hint: 'Activate wanx-background-generation-v2 for this account, or set DASHSCOPE_WORKSPACE for a sub-account key.',
    };
  }
  if (status === 429 || code.startsWith('Throttling')) {
    if (code.includes('AllocationQuota')) {
      return {
        cls: AllocationQuotaError,
        userError: false,
        retryable: true,
        hint: 'The account already runs its maximum number of tasks (1 for this model); wait for the running task to finish.',
      };
    }
    if (code.includes('RateQuota')) {
      return { cls: RateQuotaError, userError: false, retryable: true, hint: 'Too many requests per second (submits are limited to 2/s); slow down.' };
    }
    return { cls: RateLimitError, userError: false, retryable: true, hint: 'Throttled by the service; slow down and retry.' };
  }
  if (status === 408) {
    return { cls: RequestTimeoutError, userError: false, retryable: true, hint: 'The service timed out reading the request; retry.' };
  }
  if (status === 404) {
    return { cls: NotFoundError, userError: true, retryable: false, hint: 'Check the model name and the base URL.' };
  }
  if (status === 400 || status === 413) {
    if (/^(InvalidParameter|InvalidURL|BadRequest)/.test(code)) {
      return {
        cls: InvalidParameterError,
        userError: true,
        retryable: false,
        hint: 'Fix the named parameter; input URLs must be reachable by the service (oss:// uploads live 48 h).',
      };
    }
    return { cls: BadRequestError, userError: true, retryable: false, hint: 'Fix the request and retry.' };
  }
  if (status >= 500) {
    return { cls: ServerError, userError: false, retryable: true, hint: 'The service failed; retry later.' };
  }
  return { cls: DashScopeError, userError: false, retryable: false, hint: 'Unexpected reply from DashScope.' };
}

/** Builds the typed error for a DashScope error reply. `serverMessage` must already be redacted. */
export function errorFromResponse(
  status: number,
  code: string | undefined,
  serverMessage: string | undefined,
  requestId: string | undefined,
  operation: DashScopeOperation,
): DashScopeError {
  const effectiveCode = code && code.trim() ? code : `HTTP${status}`;
  const c = classify(status, effectiveCode);
  const said = serverMessage ? `: ${serverMessage}` : '';
  const rid = requestId ? ` (request id ${requestId})` : '';
  const message = `DashScope ${operation} failed with HTTP ${status} ${effectiveCode}${said}${rid}. ${c.hint}`;
  return new c.cls(effectiveCode, message, { status, requestId, userError: c.userError, retryable: c.retryable, operation });
}
