/** `GET /api/v1/uploads?action=getPolicy&model=…`: an upload policy for this server's object store. */
import { invalidParameter } from '../errors.js';
import type { Reply } from '../http-io.js';
import { UPLOAD_BUCKET } from '../upload-store.js';
import type { RouteContext } from './route-context.js';

/** Path of the upload host on this server (`upload_host` = origin + this). */
export const UPLOAD_HOST_PATH = `/${UPLOAD_BUCKET}`;

/** Issues a policy bound to the caller's key and the given model. */
export async function handleUploadPolicy(ctx: RouteContext): Promise<Reply> {
  const action = ctx.url.searchParams.get('action');
  if (action !== 'getPolicy') {
    throw invalidParameter(`Unsupported action "${action ?? ''}"; use action=getPolicy.`);
  }
  const model = ctx.url.searchParams.get('model');
  if (!model) {
    throw invalidParameter('The model parameter is required: the model the file will be used with (e.g. wanx-background-generation-v2).');
  }
  const { state } = ctx;
  const data = state.uploads.issuePolicy(ctx.key, model, state.origin + UPLOAD_HOST_PATH, state.clock.now());
  return { status: 200, json: { data, request_id: ctx.requestId } };
}
