/** `POST /dashscope-file-mgr`: the object store's form upload (one file per POST), answered like OSS. */
import { ObjectStoreError } from '../errors.js';
import type { Reply } from '../http-io.js';
import { readBody } from '../http-io.js';
import { MultipartFormError, multipartBoundary, parseMultipartForm } from '../multipart-form.js';
import type { RouteContext } from './route-context.js';

/** Form overhead allowed on top of the file size limit. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

/** Checks the form against its policy and stores the file. */
export async function handleUpload(ctx: RouteContext): Promise<Reply> {
  const { state } = ctx;
  const boundary = multipartBoundary(ctx.req.headers['content-type']);
  if (!boundary) throw new ObjectStoreError(400, 'InvalidArgument', 'Send the upload as multipart/form-data.');
  const body = await readBody(ctx.req, state.config.maxUploadBytes + FORM_OVERHEAD_BYTES);
  if (body.tooLarge) {
    throw new ObjectStoreError(400, 'EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${state.config.maxUploadBytes} bytes).`);
  }
  let form;
  try {
    form = parseMultipartForm(body.bytes, boundary);
  } catch (error) {
    if (error instanceof MultipartFormError) throw new ObjectStoreError(400, 'MalformedPOSTRequest', error.message);
    throw error;
  }
  const file = form.files.find((f) => f.name === 'file');
  const reply = state.uploads.store(form.fields, file, state.clock.now());
  return { status: reply.status, body: reply.xml, contentType: reply.xml ? 'application/xml' : undefined, headers: { 'x-oss-request-id': ctx.requestId } };
}
