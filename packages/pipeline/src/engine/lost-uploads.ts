import type { BatchItem } from '../item.js';
import type { UploadedInputs } from '../stages/upload.js';
import type { EngineContext } from './engine-context.js';

/**
 * The service could not fetch inputs this item reused from the upload cache: forgets them, and stops
 * trusting every upload of earlier runs on this key (they are likely gone too); warns once per key.
 */
export function forgetLostUploads(ctx: EngineContext, item: BatchItem, fingerprint: string, reused: UploadedInputs['reused'], why: string): void {
  for (const r of reused) ctx.uploads.forget(fingerprint, ctx.settings.model, r.sha256, r.url);
  if (ctx.uploads.distrustEarlierRuns(fingerprint, ctx.settings.model)) {
    ctx.emit({
      type: 'warning',
      id: item.id,
      code: 'UploadsRefreshed',
      message: `the service could not fetch an input that an earlier run uploaded (item ${item.id}: ${why}); inputs are uploaded again from now on`,
    });
  }
}
