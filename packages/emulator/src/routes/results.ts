/** `GET /dashscope-result/…`: result images until they expire, then 403 like an expired OSS URL. */
import { ObjectStoreError } from '../errors.js';
import type { Reply } from '../http-io.js';
import type { RouteContext } from './route-context.js';

/** Serves a stored result image. */
export async function handleResult(ctx: RouteContext): Promise<Reply> {
  const found = ctx.state.results.get(ctx.url.pathname, ctx.state.clock.now());
  if (found === 'expired') throw new ObjectStoreError(403, 'AccessDenied', 'Request has expired.');
  if (!found) throw new ObjectStoreError(404, 'NoSuchKey', 'The specified key does not exist.');
  return { status: 200, body: found.bytes, contentType: found.contentType, headers: { 'x-oss-request-id': ctx.requestId } };
}
