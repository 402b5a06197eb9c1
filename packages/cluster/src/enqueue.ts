import path from 'node:path';
import { BACKGROUND_GENERATION_MODEL, validateBackgroundGenerationRequest } from '@backdrop/api';
import { Queue } from 'bullmq';
import { ItemRecords } from './item-records.js';
import { itemJobId, type PrepareJobData } from './job-data.js';
import { queueNames } from './queue-names.js';
import { checkRedisReachable, openRedis } from './redis-connection.js';
import { InvalidBatchInputError, itemSpecHash, itemsSource, openBatchSource, validateBatchInput, type BatchItem, type BatchSource, type ItemDefaults } from './stages-bridge.js';

/** Options of {@link enqueue}. */
export interface EnqueueOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379`. */
  redis: string;
  /** Output folder every worker writes to (local or a shared mount): `<out>/<id>/…`, `<out>/results.jsonl`. */
  out: string;
  /** Queue name (default `backdrop`): workers of the same name take the items. */
  queue?: string;
  /** Options every item gets unless its manifest line says otherwise (a manifest or folder path only). */
  defaults?: ItemDefaults;
  /** Downscale bases over 2048 px instead of failing them. */
  fit?: boolean;
  /** Extra attempts for a FAILED task (default 2). */
  retries?: number;
  /** Model (default `wanx-background-generation-v2`). */
  model?: string;
  /** Called with each validation warning (formatted). */
  onWarning?: (message: string) => void;
}

/** What {@link enqueue} did. */
export interface EnqueueResult {
  /** Items in the input. */
  items: number;
  /** Jobs added now. */
  added: number;
  /** Items already queued (or done) before: not added again. */
  alreadyQueued: number;
}

/**
 * Validates every item (the same checks as `backdrop batch`; nothing is queued when one fails —
 * `InvalidBatchInputError`, a user error), then queues each item once: its job id is its id plus the hash
 * of its definition, so queueing the same items again adds nothing.
 */
export async function enqueue(items: string | BatchSource | Iterable<BatchItem>, options: EnqueueOptions): Promise<EnqueueResult> {
  const source = typeof items === 'string' ? await openBatchSource(items, options.defaults ?? {}) : isSource(items) ? items : itemsSource('items', [...items]);
  const fit = options.fit ?? false;
  const report = await validateBatchInput(source, { fit, validateRequest: (r) => validateBackgroundGenerationRequest(r) });
  for (const w of report.warnings) options.onWarning?.(`${source.label}: line ${w.line}: ${w.message}`);
  if (report.problems.length > 0) throw new InvalidBatchInputError(source.label, report.problems);

  await checkRedisReachable(options.redis);
  const names = queueNames(options.queue);
  const redis = openRedis(options.redis);
  const queue = new Queue<PrepareJobData>(names.prepare, { connection: redis, prefix: names.prefix });
  const records = new ItemRecords(redis, names);
  const out = path.resolve(options.out);
  const base = { out, fit, model: options.model ?? BACKGROUND_GENERATION_MODEL, retries: options.retries ?? 2 };
  let total = 0;
  let added = 0;
  try {
    const seen = new Set<string>();
    for await (const entry of source.entries()) {
      const item = entry.item;
      if (!item || seen.has(item.id.toLowerCase())) continue;
      seen.add(item.id.toLowerCase());
      total++;
      const jobId = itemJobId(item, itemSpecHash(item));
      // A stage is recorded only for a job never seen, so the same item queued again keeps its stage. The
      // job is added either way: BullMQ ignores a job id it holds, and workers skip an item already done.
      const isNew = await records.setStageIfNew(jobId, 'queued');
      await queue.add('prepare', { ...base, item }, { jobId, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: false });
      if (isNew) added++;
    }
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return { items: total, added, alreadyQueued: total - added };
}

function isSource(x: unknown): x is BatchSource {
  return typeof x === 'object' && x !== null && typeof (x as BatchSource).entries === 'function' && typeof (x as BatchSource).label === 'string';
}
