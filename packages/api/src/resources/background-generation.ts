/**
 * `backgroundGeneration.submit` (validate, then one async submit) and `generate` (upload every
 * local input, submit, wait, return the typed result).
 */
import { markMayHaveCreatedTask, type Transport } from '../transport.js';
import { DashScopeError, RequestValidationError } from '../errors.js';
import { isRemoteUrl, type ImageInput } from '../image-source.js';
import type { QueryLimiter } from '../query-limiter.js';
import type {
  BackgroundGenerationRequest,
  ReferenceEdge,
  SubmitResult,
  Task,
  TextResults,
  UploadedFile,
  ValidationIssue,
} from '../types.js';
import { validateBackgroundGenerationRequest } from '../validate.js';
import { parseSubmitResult, toWireRequest } from '../wire.js';
import type { Files } from './files.js';
import type { RequestOptions, Tasks, WaitOptions } from './tasks.js';

const SUBMIT_PATH = 'services/aigc/background-generation/generation/';

/** Edge elements that may be local files. */
export interface LocalReferenceEdge extends Omit<ReferenceEdge, 'foregroundEdge' | 'backgroundEdge'> {
  foregroundEdge?: ImageInput[];
  backgroundEdge?: ImageInput[];
}

/** A request whose images may be URLs, local paths, `file://` URLs or bytes (for `generate`). */
export interface GenerateRequest extends Omit<BackgroundGenerationRequest, 'baseImageUrl' | 'refImageUrl' | 'referenceEdge'> {
  baseImageUrl: ImageInput;
  refImageUrl?: ImageInput;
  referenceEdge?: LocalReferenceEdge;
}

/** Options of `generate`: waiting options plus progress hooks. */
export interface GenerateOptions extends WaitOptions {
  /** Called once the task exists: record `taskId` now so the work is never lost. */
  onSubmitted?: (submit: SubmitResult) => void;
  /** Called after each local input is uploaded. */
  onUploaded?: (file: UploadedFile, source: ImageInput) => void;
  /** On abort, try to cancel the task if it is still PENDING (default true). */
  cancelOnAbort?: boolean;
}

/** What `generate` returns. */
export interface GenerateResult {
  taskId: string;
  /** The submit reply. */
  submit: SubmitResult;
  /** The final (SUCCEEDED) task. */
  task: Task;
  /** Result images (valid 24 h). */
  results: { url: string }[];
  /** Text layers, when a title was requested. */
  textResults?: TextResults;
  /** Images generated (billed). */
  imageCount?: number;
  /** Local inputs uploaded for this request. */
  uploads: UploadedFile[];
  /** Validation warnings (parameters the service ignores, over-long prompt, unknown scene). */
  warnings: ValidationIssue[];
}

/** True when any input of the wire body is an `oss://` URL. */
function usesOssUrls(request: BackgroundGenerationRequest): boolean {
  const urls = [request.baseImageUrl, request.refImageUrl, ...(request.referenceEdge?.foregroundEdge ?? []), ...(request.referenceEdge?.backgroundEdge ?? [])];
  return urls.some((u) => typeof u === 'string' && /^oss:\/\//i.test(u));
}

/** `client.backgroundGeneration`. */
export class BackgroundGeneration {
  constructor(
    private readonly transport: Transport,
    private readonly tasks: Tasks,
    private readonly files: Files,
    private readonly submitLimiter: QueryLimiter,
  ) {}

  /**
   * Validates the request (throwing RequestValidationError with every problem; nothing is sent),
   * then submits it once. Retries happen only where no task can exist (see retry-policy.ts); any
   * other failure is thrown with `mayHaveCreatedTask` telling whether a task may exist anyway.
   */
  async submit(request: BackgroundGenerationRequest, options: RequestOptions = {}): Promise<SubmitResult> {
    const report = validateBackgroundGenerationRequest(request, { requireUrls: true });
    if (report.errors.length > 0) throw this.validationError(report.errors);
    for (const w of report.warnings) this.transport.config.logger?.warn(`dashscope submit: ${w.path}: ${w.message}`);
    const headers: Record<string, string> = { 'x-dashscope-async': 'enable' };
    if (usesOssUrls(request)) headers['x-dashscope-ossresourceresolve'] = 'enable';
    const release = await this.submitLimiter.acquire(options.signal);
    const { body } = await this.transport.sendJson({
      operation: 'submit',
      method: 'POST',
      url: SUBMIT_PATH,
      json: toWireRequest(request),
      headers,
      authenticated: true,
      retryRule: 'submit',
      rateLimited: false,
      ...options,
    }).finally(release);
    try {
      return parseSubmitResult(body);
    } catch (err) {
      // A 2xx reply: the task most likely exists even though we cannot read its id.
      if (err instanceof DashScopeError) markMayHaveCreatedTask(err);
      throw err;
    }
  }

  /**
   * Uploads every local input, submits, waits for the task and returns its results.
   * Throws RequestValidationError before any upload, TaskFailedError / TaskUnknownError /
   * TaskCanceledError for tasks that end without results, WaitTimeoutError after `timeoutMs`.
   */
  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const report = validateBackgroundGenerationRequest(request);
    if (report.errors.length > 0) throw this.validationError(report.errors);

    const model = request.model;
    const uploads: UploadedFile[] = [];
    const resolve = async (input: ImageInput): Promise<string> => {
      if (typeof input === 'string' && isRemoteUrl(input)) return input;
      const uploaded = await this.files.upload(input, { ...(model ? { model } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      uploads.push(uploaded);
      options.onUploaded?.(uploaded, input);
      return uploaded.url;
    };
    const edge = request.referenceEdge;
    const [baseImageUrl, refImageUrl, foregroundEdge, backgroundEdge] = await Promise.all([
      resolve(request.baseImageUrl),
      request.refImageUrl === undefined ? undefined : resolve(request.refImageUrl),
      edge?.foregroundEdge ? Promise.all(edge.foregroundEdge.map(resolve)) : undefined,
      edge?.backgroundEdge ? Promise.all(edge.backgroundEdge.map(resolve)) : undefined,
    ]);
    const { referenceEdge: _edge, refImageUrl: _ref, baseImageUrl: _base, ...rest } = request;
    const resolved: BackgroundGenerationRequest = { ...rest, baseImageUrl };
    if (refImageUrl !== undefined) resolved.refImageUrl = refImageUrl;
    if (edge) {
      const { foregroundEdge: _fg, backgroundEdge: _bg, ...prompts } = edge;
      resolved.referenceEdge = { ...prompts, ...(foregroundEdge ? { foregroundEdge } : {}), ...(backgroundEdge ? { backgroundEdge } : {}) };
    }

    const submit = await this.submit(resolved, options.signal ? { signal: options.signal } : {});
    options.onSubmitted?.(submit);
    let task: Task;
    try {
      task = await this.tasks.wait(submit.taskId, options);
    } catch (err) {
      if (options.signal?.aborted && (options.cancelOnAbort ?? true)) await this.cancelIfPending(submit.taskId);
      throw err;
    }
    return {
      taskId: submit.taskId,
      submit,
      task,
      results: task.results ?? [],
      ...(task.textResults ? { textResults: task.textResults } : {}),
      ...(task.usage?.imageCount !== undefined ? { imageCount: task.usage.imageCount } : {}),
      uploads,
      warnings: report.warnings,
    };
  }

  /** The validation error, with the API key scrubbed from any echoed value. */
  private validationError(issues: ValidationIssue[]): RequestValidationError {
    return new RequestValidationError(issues.map((i) => ({ ...i, message: this.transport.redact(i.message) })));
  }

  /** Best effort: cancel a task that may still be PENDING; never throws. */
  private async cancelIfPending(taskId: string): Promise<void> {
    try {
      await this.tasks.cancel(taskId, { maxRetries: 0, timeoutMs: 5_000 });
      this.transport.config.logger?.info(`dashscope canceled pending task ${taskId} after abort`);
    } catch {
      // Not PENDING any more (it runs or ended), or unreachable: nothing more to do.
    }
  }
}
