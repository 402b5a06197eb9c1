/** `POST /api/v1/services/aigc/background-generation/generation/`: checks, limits, then a PENDING task. */
import { limitsFor } from '../emulator-state.js';
import { RATE_QUOTA_MESSAGE, ServiceError, invalidParameter } from '../errors.js';
import type { Reply } from '../http-io.js';
import { readBody } from '../http-io.js';
import { isDownloadFailure } from '../input-fetcher.js';
import { loadSubmitInputs } from '../submit-inputs.js';
import { parseSubmitBody, submitUrls } from '../submit-request.js';
import type { RouteContext } from './route-context.js';

/** Largest JSON submit body accepted. */
const MAX_SUBMIT_BODY_BYTES = 1024 * 1024;

function header(ctx: RouteContext, name: string): string {
  const value = ctx.req.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : (value ?? '')).trim();
}

/** Handles a submit; the task exists only when the reply is 200. */
export async function handleSubmit(ctx: RouteContext): Promise<Reply> {
  const { state, key } = ctx;
  const now = state.clock.now();
  state.stats.recordSubmitRequest(key, now);
  if (!limitsFor(state, key).submits.tryAdmit(now)) {
    throw new ServiceError(429, 'Throttling.RateQuota', RATE_QUOTA_MESSAGE);
  }
  if (header(ctx, 'X-DashScope-Async').toLowerCase() !== 'enable') {
    throw new ServiceError(403, 'AccessDenied', 'current user api does not support synchronous calls');
  }
  const body = await readBody(ctx.req, MAX_SUBMIT_BODY_BYTES);
  if (body.tooLarge) throw new ServiceError(413, 'BadRequest.TooLarge', `The request body is larger than ${MAX_SUBMIT_BODY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.bytes.toString('utf8'));
  } catch {
    throw invalidParameter('The request body is not valid JSON.');
  }
  const spec = parseSubmitBody(parsed);
  const ossUrl = submitUrls(spec).find((u) => /^oss:\/\//i.test(u.url));
  if (ossUrl && header(ctx, 'X-DashScope-OssResourceResolve').toLowerCase() !== 'enable') {
    throw invalidParameter(`${ossUrl.path} is an oss:// URL; send the header "X-DashScope-OssResourceResolve: enable" to use uploaded files.`);
  }
  const input = await loadSubmitInputs(spec, {
    key,
    model: spec.model,
    now,
    uploads: state.uploads,
    timeoutMs: state.config.downloadTimeoutMs,
  }).catch((error: unknown) => {
    // Reported at the task instead, when the emulator is told to behave that way.
    if (state.config.inputDownloadFailure !== 'task' || !isDownloadFailure(error)) throw error;
    return { failure: { code: 'InternalError.Algo.InvalidParameter', message: error.message } };
  });
  if (state.config.concurrencyPolicy === 'reject' && state.tasks.unfinished(key) >= state.config.maxRunning) {
    throw new ServiceError(
      429,
      'Throttling.AllocationQuota',
      `Too many tasks in progress: this account may run ${state.config.maxRunning} task(s) at a time. Wait for one to finish and submit again.`,
    );
  }
  const task = state.tasks.create(key, ctx.requestId, spec.model, spec.n, input);
  return { status: 200, json: { output: { task_status: task.status, task_id: task.id }, request_id: ctx.requestId } };
}
