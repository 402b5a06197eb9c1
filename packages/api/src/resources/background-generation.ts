/**
 * `backgroundGeneration.submit` (validate, then one async submit) and `generate` (upload every
 * local input, submit, wait, return the typed result).
 */
import { markMayHaveCreatedTask, type Transport } from '../transport.js';
import { DashScopeError, InputFileError, RequestValidationError } from '../errors.js';
import { checkBaseImageFile, checkEdgeElementFile } from '../image-checks.js';
import { isRemoteUrl, readLocalImage, type ImageInput, type LocalImage } from '../image-source.js';
import type { BackgroundGenerationRequest, ReferenceEdge, SubmitResult, Task, TaskResult, TextResults, UploadedFile, ValidationIssue } from '../types.js';
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
  /** Result images (valid 24 h); entries without `url` are images the service failed to make (their `code`). */
  results: TaskResult[];
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
  ) {}

  /**
   * Validates the request (throwing RequestValidationError with every problem; nothing is sent),
   * then submits it once. Retries happen only where no task can exist (see retry-policy.ts); any
   * other failure is thrown with `mayHaveCreatedTask` telling whether a task may exist anyway.
   */
  async submit(request: BackgroundGenerationRequest, options: RequestOptions = {}): Promise<SubmitResult> {
    const report = validateBackgroundGenerationRequest(request, { requireUrls: true });
    if (report.errors.length > 0) throw this.validationError(report.errors);
    for (const w of this.redacted(report.warnings)) this.transport.config.logger?.warn(`dashscope submit: ${w.path}: ${w.message}`);
    const headers: Record<string, string> = { 'x-dashscope-async': 'enable' };
    if (usesOssUrls(request)) headers['x-dashscope-ossresourceresolve'] = 'enable';
    const { body } = await this.transport.sendJson({
      operation: 'submit',
      method: 'POST',
      url: SUBMIT_PATH,
      json: toWireRequest(request),
      headers,
      authenticated: true,
      retryRule: 'submit',
      rateLimit: 'submit',
      ...options,
    });
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

    const resolved = await this.uploadLocalInputs(request, options);
    const uploads = resolved.uploads;
    const submit = await this.submit(resolved.request, options.signal ? { signal: options.signal } : {});
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
      warnings: this.redacted(report.warnings),
    };
  }

  /**
   * Reads every local input, checks the files as the service will (base: RGBA PNG, long side
   * ≤ 2048 px; edge elements: with alpha), reporting all problems at once before any upload, then
   * uploads them and returns the request with `oss://` URLs in their place.
   */
  private async uploadLocalInputs(request: GenerateRequest, options: GenerateOptions): Promise<{ request: BackgroundGenerationRequest; uploads: UploadedFile[] }> {
    const edge = request.referenceEdge;
    const slots: { path: string; input: ImageInput; role: 'base' | 'ref' | 'edge' }[] = [
      { path: 'input.base_image_url', input: request.baseImageUrl, role: 'base' },
      ...(request.refImageUrl !== undefined ? [{ path: 'input.ref_image_url', input: request.refImageUrl, role: 'ref' as const }] : []),
      ...(edge?.foregroundEdge ?? []).map((input, i) => ({ path: `input.reference_edge.foreground_edge[${i}]`, input, role: 'edge' as const })),
      ...(edge?.backgroundEdge ?? []).map((input, i) => ({ path: `input.reference_edge.background_edge[${i}]`, input, role: 'edge' as const })),
    ];
    const slotIssues: ValidationIssue[][] = slots.map(() => []);
    const images = await Promise.all(
      slots.map(async (slot, i): Promise<LocalImage | undefined> => {
        if (typeof slot.input === 'string' && isRemoteUrl(slot.input)) return undefined;
        try {
          const image = await readLocalImage(slot.input);
          if (slot.role === 'base') slotIssues[i] = checkBaseImageFile(image.bytes, image.label);
          if (slot.role === 'edge') slotIssues[i] = checkEdgeElementFile(image.bytes, image.label, slot.path);
          return image;
        } catch (err) {
          if (!(err instanceof InputFileError)) throw err;
          slotIssues[i] = [{ path: slot.path, code: 'unreadable', message: err.message }];
          return undefined;
        }
      }),
    );
    const issues = slotIssues.flat();
    if (issues.length > 0) throw this.validationError(issues);

    const uploaded: (UploadedFile | undefined)[] = [];
    const urls = await Promise.all(
      slots.map(async (slot, i) => {
        const image = images[i];
        if (!image) return slot.input as string;
        const file = await this.files.uploadImage(image, {
          ...(request.model ? { model: request.model } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        uploaded[i] = file;
        options.onUploaded?.(file, slot.input);
        return file.url;
      }),
    );
    const uploads = uploaded.filter((f): f is UploadedFile => f !== undefined);
    const url = (path: string): string | undefined => urls[slots.findIndex((s) => s.path === path)];
    const edgeUrls = (side: 'foreground' | 'background'): string[] => slots.flatMap((s, i) => (s.path.startsWith(`input.reference_edge.${side}_edge[`) ? [urls[i]] : []));
    const { referenceEdge: _edge, refImageUrl: _ref, baseImageUrl: _base, ...rest } = request;
    const resolved: BackgroundGenerationRequest = { ...rest, baseImageUrl: url('input.base_image_url')! };
    if (request.refImageUrl !== undefined) resolved.refImageUrl = url('input.ref_image_url');
    if (edge) {
      const { foregroundEdge, backgroundEdge, ...prompts } = edge;
      resolved.referenceEdge = {
        ...prompts,
        ...(foregroundEdge ? { foregroundEdge: edgeUrls('foreground') } : {}),
        ...(backgroundEdge ? { backgroundEdge: edgeUrls('background') } : {}),
      };
    }
    return { request: resolved, uploads };
  }

  /** The validation error, with the API key scrubbed from any echoed value. */
  private validationError(issues: ValidationIssue[]): RequestValidationError {
    return new RequestValidationError(this.redacted(issues));
  }

  /** Issues (errors or warnings, whose messages may echo a field's value) with the API key scrubbed. */
  private redacted(issues: ValidationIssue[]): ValidationIssue[] {
    return issues.map((i) => ({ ...i, message: this.transport.redact(i.message) }));
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
