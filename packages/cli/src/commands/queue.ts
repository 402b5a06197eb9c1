/**
 * `backdrop queue --redis <url> [--wait] [--json]` — where the queued items stand: waiting, preparing, at
 * the service, done, failed (with reasons), throughput per key and an ETA. With `--wait`, reports until
 * everything is done: exit 0 when all succeeded, 1 when some failed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv, CommandModule } from 'yargs';
import { CliError } from '../cli-errors.js';
import { loadCluster } from '../cluster-module.js';
import { parseNumberIn } from '../option-parsers.js';

interface QueueArgs {
  redis: string;
  queue: string;
  wait: boolean;
  json: boolean;
  interval: number;
}

export const queueCommand: CommandModule<object, QueueArgs> = {
  command: 'queue',
  describe: 'Show the Redis queue: counts, failures, throughput per key, ETA (--wait: until done)',
  builder: (yargs: Argv) =>
    yargs.options({
      redis: { type: 'string', demandOption: true, describe: 'Redis URL, e.g. redis://127.0.0.1:6379' },
      queue: { type: 'string', default: 'backdrop', describe: 'Queue name' },
      wait: { type: 'boolean', default: false, describe: 'Report until everything is done; exit 1 if items failed' },
      json: { type: 'boolean', default: false, describe: 'Print the status as JSON (with --wait: the final one)' },
      interval: { type: 'number', default: 2, describe: 'Seconds between reports with --wait' },
    }),
  handler: async (args) => {
    const cluster = await loadCluster();
    const intervalMs = parseNumberIn('interval', args.interval, 0.1, 3600) * 1000;
    let status = await cluster.queueStatus({ redis: args.redis, queue: args.queue });
    while (args.wait && !status.finished) {
      if (!args.json) process.stderr.write(`${cluster.formatQueueStatus(status).split('\n')[0]}\n`);
      await sleep(intervalMs);
      status = await cluster.queueStatus({ redis: args.redis, queue: args.queue });
    }
    process.stdout.write(args.json ? `${JSON.stringify(status, null, 2)}\n` : `${cluster.formatQueueStatus(status)}\n`);
    if (args.wait && status.failed > 0) throw new CliError('QUEUE_ITEMS_FAILED', `${status.failed} of ${status.total} items failed (see the reasons above and results.jsonl)`);
  },
};
