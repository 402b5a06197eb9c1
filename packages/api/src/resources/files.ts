/**
 * Temporary upload: local images → `oss://` URLs the service can read (48 h, bound to the model).
 * 1. `GET {base}/uploads?action=getPolicy&model=…` (reply under `data`); a policy is cached per model
 *    and reused until shortly before it expires; concurrent uploads share one policy request.
 * 2. `POST {upload_host}` multipart form: OSSAccessKeyId, Signature, policy, key, x-oss-object-acl,
 *    x-oss-forbid-overwrite, success_action_status=200, x-oss-content-type, then `file` last.
 *    No DashScope credentials go to the upload host.
 * Files are named by content hash, so an upload never overwrites another file, and a 409
 * `FileAlreadyExists` means the same bytes are already there (e.g. a retried upload that had
 * succeeded): it counts as success. Uploads of the same bytes for the same model are remembered
 * and reused while they have more than a day to live.
 */
import { FileTooLargeError, UploadError, type DashScopeOperation } from '../errors.js';
import { readLocalImage, type ImageInput, type LocalImage } from '../image-source.js';
import type { HttpReply, Transport } from '../transport.js';
import { headerValue } from '../transport.js';
import { BACKGROUND_GENERATION_MODEL, type UploadedFile, type UploadPolicy } from '../types.js';
import { parseUploadPolicy } from '../wire.js';

/** Uploaded files live this long on the service. */
export const UPLOAD_LIFETIME_MS = 48 * 3600_000;
/** A remembered upload is reused only while it has at least this long left. */
const REUSE_MIN_REMAINING_MS = 24 * 3600_000;
/** OSS POSTs carry whole files: allow them longer than API calls. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** Options of `files.upload`. */
export interface UploadOptions {
  /** The model that will read the file (uploads are bound to it). Default `wanx-background-generation-v2`. */
  model?: string;
  /** Original name, used for the extension when the type cannot be sniffed from the bytes. */
  fileName?: string;
  /** MIME type sent as `x-oss-content-type`; default sniffed from the bytes. */
  contentType?: string;
  signal?: AbortSignal;
  /**
   * Reuse an earlier upload of the same bytes remembered by this client (default true). Pass false
   * when the caller keeps its own record of uploads (and forgets the ones the service lost): the bytes
   * are then posted anew and the result is not remembered.
   */
  reuse?: boolean;
}

/** One OSS POST shared by every concurrent upload of the same bytes for the same model. */
interface SharedUpload {
  memoKey: string;
  promise: Promise<UploadedFile>;
  /** Aborts the POST; used only when every caller has aborted. */
  controller: AbortController;
  /** Callers still waiting for it. */
  waiters: number;
}

interface CachedPolicy {
  policy: UploadPolicy;
  /** Stop using it after this instant. */
  useUntil: number;
}

/** The part of a policy's lifetime kept in reserve: a fifth, at most a minute. */
function policyReserveMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 5);
}

/** Reads OSS's XML error `<Code>`, `<Message>`, `<RequestId>`. */
function ossErrorFields(text: string): { code?: string; message?: string; requestId?: string } {
  const tag = (name: string): string | undefined => text.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1];
  return { code: tag('Code'), message: tag('Message'), requestId: tag('RequestId') };
}

/** `client.files`. */
export class Files {
  private readonly policies = new Map<string, CachedPolicy>();
  private readonly policyRequests = new Map<string, Promise<UploadPolicy>>();
  private readonly uploads = new Map<string, UploadedFile>();
  private readonly uploadsInFlight = new Map<string, SharedUpload>();

  constructor(private readonly transport: Transport) {}

  /**
   * Uploads a local image (path, `file://` URL or bytes) and returns its `oss://` URL with its
   * expiry. Pass the URL where a URL is expected; submits that use it send
   * `X-DashScope-OssResourceResolve: enable` automatically.
   */
  async upload(input: ImageInput, options: UploadOptions = {}): Promise<UploadedFile> {
    const image = await readLocalImage(input, options);
    if (options.reuse === false) {
      options.signal?.throwIfAborted();
      return this.post(image, options.model ?? BACKGROUND_GENERATION_MODEL, options.signal ? { signal: options.signal } : {});
    }
    return this.uploadImage(image, options);
  }

  /**
   * Uploads an image already read by `readLocalImage` (generate reads and checks its inputs first,
   * so they are not read and hashed twice). @internal
   */
  async uploadImage(image: LocalImage, options: Pick<UploadOptions, 'model' | 'signal'> = {}): Promise<UploadedFile> {
    options.signal?.throwIfAborted();
    const model = options.model ?? BACKGROUND_GENERATION_MODEL;
    const memoKey = `${model}\n${image.sha256}\n${image.contentType}`;
    const known = this.uploads.get(memoKey);
    if (known && known.expiresAt.getTime() - Date.now() > REUSE_MIN_REMAINING_MS) return known;
    let shared = this.uploadsInFlight.get(memoKey);
    if (!shared) {
      const controller = new AbortController();
      const promise = this.post(image, model, { signal: controller.signal })
        .then((uploaded) => {
          this.uploads.set(memoKey, uploaded);
          return uploaded;
        })
        .finally(() => {
          if (this.uploadsInFlight.get(memoKey) === shared) this.uploadsInFlight.delete(memoKey);
        });
      shared = { memoKey, promise, controller, waiters: 0 };
      this.uploadsInFlight.set(memoKey, shared);
    }
    return this.join(shared, options.signal);
  }

  /**
   * Waits for a shared upload. A caller's abort rejects that caller only; the POST itself is
   * aborted when the last waiting caller has aborted.
   */
  private join(shared: SharedUpload, signal: AbortSignal | undefined): Promise<UploadedFile> {
    shared.waiters++;
    if (!signal) return shared.promise;
    return new Promise<UploadedFile>((resolve, reject) => {
      const onAbort = (): void => {
        if (--shared.waiters === 0) {
          if (this.uploadsInFlight.get(shared.memoKey) === shared) this.uploadsInFlight.delete(shared.memoKey);
          shared.controller.abort(signal.reason);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      shared.promise.then(resolve, reject).then(done, done);
    });
  }

  /** Gets a policy and POSTs the form; a refused (expired) policy is replaced once. */
  private async post(image: LocalImage, model: string, options: Pick<UploadOptions, 'signal'>): Promise<UploadedFile> {
    for (let policyAttempt = 0; ; policyAttempt++) {
      options.signal?.throwIfAborted();
      const policy = await this.policy(model);
      const maxBytes = policy.maxFileSizeMb * 1024 * 1024;
      if (image.bytes.length > maxBytes) {
        throw new FileTooLargeError(
          'FileTooLarge',
          `Image ${image.label} is ${(image.bytes.length / 1048576).toFixed(1)} MB; uploads may be at most ${policy.maxFileSizeMb} MB. Shrink or recompress it.`,
          { userError: true, operation: 'files.upload' },
        );
      }
      const key = `${policy.uploadDir}/${image.fileName}`;
      const form = new FormData();
      form.append('OSSAccessKeyId', policy.ossAccessKeyId);
      form.append('Signature', policy.signature);
      form.append('policy', policy.policy);
      form.append('key', key);
      form.append('x-oss-object-acl', policy.xOssObjectAcl);
      form.append('x-oss-forbid-overwrite', policy.xOssForbidOverwrite);
      form.append('success_action_status', '200');
      form.append('x-oss-content-type', image.contentType);
      form.append('file', new Blob([image.bytes], { type: image.contentType }), image.fileName);
      const startedAt = Date.now();
      try {
        const reply = await this.transport.send({
          operation: 'files.upload',
          method: 'POST',
          url: policy.uploadHost,
          form,
          authenticated: false,
          retryRule: 'query',
          acceptStatuses: [409],
          timeoutMs: UPLOAD_TIMEOUT_MS,
          errorFromReply: (r, op) => this.uploadError(r, op, image.label),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (reply.status === 409 && ossErrorFields(reply.text).code !== 'FileAlreadyExists') {
          throw this.uploadError(reply, 'files.upload', image.label);
        }
      } catch (err) {
        // An expired or refused policy: fetch a fresh one once and try again.
        if (err instanceof UploadError && err.status === 403 && policyAttempt === 0) {
          this.policies.delete(model);
          continue;
        }
        throw err;
      }
      const uploaded: UploadedFile = {
        url: `oss://${key}`,
        key,
        expiresAt: new Date(startedAt + UPLOAD_LIFETIME_MS),
        model,
        bytes: image.bytes.length,
        sha256: image.sha256,
        contentType: image.contentType,
      };
      this.transport.config.logger?.debug(`dashscope uploaded ${image.label} (${image.bytes.length} bytes) as ${uploaded.url}`);
      return uploaded;
    }
  }

  /** The upload policy for a model, from cache while it is fresh enough. */
  async policy(model: string = BACKGROUND_GENERATION_MODEL): Promise<UploadPolicy> {
    const cached = this.policies.get(model);
    if (cached && Date.now() < cached.useUntil) return cached.policy;
    let request = this.policyRequests.get(model);
    if (!request) {
      // Shared by concurrent uploads, so no one caller's signal may abort it (it is short and has a timeout).
      request = this.fetchPolicy(model).finally(() => this.policyRequests.delete(model));
      this.policyRequests.set(model, request);
    }
    return request;
  }

  private async fetchPolicy(model: string): Promise<UploadPolicy> {
    const requestedAt = Date.now();
    const { body } = await this.transport.sendJson({
      operation: 'files.policy',
      method: 'GET',
      url: 'uploads',
      searchParams: { action: 'getPolicy', model },
      authenticated: true,
      retryRule: 'query',
    });
    const policy = parseUploadPolicy(body);
    const lifetimeMs = policy.expireInSeconds * 1000;
    this.policies.set(model, { policy, useUntil: requestedAt + lifetimeMs - policyReserveMs(lifetimeMs) });
    return policy;
  }

  private uploadError(reply: HttpReply, operation: DashScopeOperation, label: string): UploadError {
    const oss = ossErrorFields(reply.text);
    const code = oss.code ?? 'UploadFailed';
    const requestId = oss.requestId ?? headerValue(reply.headers, 'x-oss-request-id');
    const said = oss.message ? `: ${this.transport.redact(oss.message)}` : '';
    const retryable = reply.status === 429 || reply.status >= 500;
    const hint =
      reply.status === 403
        ? 'The upload policy was refused or expired; retry (a fresh policy is fetched).'
        : retryable
          ? 'The storage service failed; retry later.'
          : 'Check the file and retry.';
    return new UploadError(code, `Uploading ${label} failed with HTTP ${reply.status} ${code}${said}${requestId ? ` (request id ${requestId})` : ''}. ${hint}`, {
      status: reply.status,
      requestId,
      retryable,
      operation,
    });
  }
}
