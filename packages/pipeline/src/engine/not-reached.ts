import type { BatchItem } from '../item.js';
import { itemSpecHash } from '../item.js';
import { filesIntact } from '../stages/download.js';
import { usageOf } from './item-lifecycle.js';
import { itemDir, type EngineContext } from './engine-context.js';

/**
 * Reports `item` as succeeded when an earlier run finished it (same definition) and its files are still
 * intact; returns whether it did.
 */
export async function finishedEarlier(ctx: EngineContext, item: BatchItem, line: number): Promise<boolean> {
  const rec = ctx.journal.record(item.id);
  if (rec?.done?.status !== 'succeeded' || !rec.files || (rec.spec !== undefined && rec.spec !== itemSpecHash(item))) return false;
  if (!(await filesIntact(itemDir(ctx.settings, item.id), rec.files))) return false;
  ctx.results.finish(line, {
    id: item.id,
    status: 'succeeded',
    taskId: rec.done.taskId,
    files: rec.files.map((f) => f.name),
    attempts: rec.attempts,
    resumed: true,
    ...usageOf(rec.final?.usage),
  });
  return true;
}

/**
 * Reports an item the run did not reach before it was stopped: already done in an earlier run (its
 * files verified), or `interrupted` — never left out, so the summary counts every item of the input.
 */
export async function notReached(ctx: EngineContext, item: BatchItem, line: number): Promise<void> {
  if (await finishedEarlier(ctx, item, line)) return;
  const rec = ctx.journal.record(item.id);
  ctx.results.finish(line, {
    id: item.id,
    status: 'interrupted',
    files: [],
    attempts: rec?.attempts ?? 0,
    resumed: false,
    error: { code: 'Interrupted', message: 'the run was stopped before this item was started; run the same command again to resume' },
  });
}
