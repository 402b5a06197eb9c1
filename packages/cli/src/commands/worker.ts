/**
 * `backdrop worker --redis <url>` — takes items queued by `backdrop enqueue` until SIGINT/SIGTERM, with the
 * keys of DASHSCOPE_API_KEYS (or --api-key). Workers on any number of machines share each key's limits
 * through Redis. A stop takes no new work, hands back items not yet submitted and finishes the ones at
 * the service; a second signal exits at once (its items go to other workers).
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { parseIntegerIn } from '../option-parsers.js';
import { loadCluster, type ClusterWorkerEvent } from '../cluster-module.js';
import { serviceOptionDefinitions } from '../service-options.js';
import { waitForShutdownSignal } from '../shutdown-signals.js';

function describe(e: ClusterWorkerEvent): string {
  switch (e.type) {
    case 'submitted':
      return `submitted ${e.id}: task ${e.taskId} on key ${e.lane} (attempt ${e.attempt})`;
    case 'adopted':
      return `adopted ${e.id}: task ${e.taskId} on key ${e.lane} (${e.how})`;
    case 'done':
      return `done ${e.id}: task ${e.taskId}`;
    case 'failed':
      return `failed ${e.id}: [${e.code}] ${e.message}`;
    case 'handed-back':
      return `handed back ${e.id} (not submitted yet)`;
    default:
      return `warning${e.id ? ` ${e.id}` : ''}: [${e.code}] ${e.message}`;
  }
}

const { emulator: _noEmulator, ...serviceOptions } = serviceOptionDefinitions({ multipleKeys: true });

const builder = (yargs: Argv) =>
  yargs.options({
    redis: { type: 'string', demandOption: true, describe: 'Redis URL, e.g. redis://127.0.0.1:6379' },
    queue: { type: 'string', default: 'backdrop', describe: 'Queue name' },
    weights: { type: 'string', describe: 'HED checkpoint for cut-out elements (default: BACKDROP_HED_WEIGHTS, cache, Hugging Face)' },
    'hed-workers': { type: 'number', default: 1, describe: 'HED worker threads' },
    concurrency: { type: 'number', describe: 'Items in upload/submit/poll/download at once (default 3 per key)' },
    'lock-duration': { type: 'number', default: 30_000, describe: "Job lock in ms: a dead worker's items go to others after about this long" },
    ...serviceOptions,
  });

type WorkerArgs = BuilderArgs<typeof builder>;

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Work on the items queued in Redis until stopped (SIGINT/SIGTERM); any number of machines',
  builder,
  handler: async (args) => {
    const cluster = await loadCluster();
    const { resolveApiKeys } = await import('../service-connection.js');
    const apiKeys = resolveApiKeys(args, { multipleKeys: true });
    const baseUrl = args.baseUrl ?? process.env.DASHSCOPE_HTTP_BASE_URL?.trim();
    const workspace = (args.workspace ?? process.env.DASHSCOPE_WORKSPACE)?.trim();
    const worker = await cluster.startWorker({
      redis: args.redis,
      queue: args.queue,
      apiKeys,
      ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
      ...(workspace ? { workspace } : {}),
      ...(args.weights ? { weights: args.weights } : {}),
      hedWorkers: parseIntegerIn('hed-workers', args.hedWorkers, 1, 64),
      ...(args.concurrency !== undefined ? { generateConcurrency: parseIntegerIn('concurrency', args.concurrency, 1, 1000) } : {}),
      lockDurationMs: parseIntegerIn('lock-duration', args.lockDuration, 1000, 3_600_000),
      onEvent: (e: ClusterWorkerEvent) => process.stderr.write(`worker ${process.pid}: ${describe(e)}\n`),
    });
    process.stderr.write(`worker ${process.pid}: ready on ${args.redis} queue ${args.queue} with key(s) ${worker.lanes.join(', ')}\n`);
    const signal = await waitForShutdownSignal();
    process.stderr.write(`worker ${process.pid}: ${signal}: stopping (no new work; finishing items at the service)\n`);
    await worker.stop();
    process.stderr.write(`worker ${process.pid}: stopped\n`);
  },
};
