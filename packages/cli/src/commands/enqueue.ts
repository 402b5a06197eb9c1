/**
 * `backdrop enqueue <manifest | folder> --redis <url> --out <folder>` — validates every item (the checks of
 * `batch`; exit 2 and nothing queued when one fails), then queues each item once in Redis for
 * `backdrop worker`s on any machine. Queueing the same items again adds nothing.
 */
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { parseIntegerIn } from '../option-parsers.js';
import { requestOptionDefinitions } from '../request-options.js';
import { loadCluster } from '../cluster-module.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('input', { type: 'string', demandOption: true, describe: 'Manifest (.jsonl, one item a line) or a folder of RGBA PNG cut-outs' })
    .options({
      redis: { type: 'string', demandOption: true, describe: 'Redis URL, e.g. redis://127.0.0.1:6379' },
      out: { type: 'string', demandOption: true, describe: 'Output folder every worker can write (local or a shared mount): <out>/<id>/…, results.jsonl' },
      queue: { type: 'string', default: 'backdrop', describe: 'Queue name (workers of the same name take the items)' },
      ...requestOptionDefinitions('Item defaults:'),
      fit: { type: 'boolean', default: false, describe: 'Downscale base images over 2048 px instead of rejecting them' },
      retries: { type: 'number', default: 2, describe: 'Extra attempts for a FAILED task (moderation/invalid input are not retried)' },
    })
    .example('$0 enqueue catalogue.jsonl --redis redis://10.0.0.5:6379 --out /mnt/shared/out', 'Queue a catalogue');

type EnqueueArgs = BuilderArgs<typeof builder>;

export const enqueueCommand: CommandModule<object, EnqueueArgs> = {
  command: 'enqueue <input>',
  describe: 'Queue a manifest (.jsonl) or folder in Redis for `backdrop worker`s (validated first; idempotent)',
  builder,
  handler: async (args) => {
    const cluster = await loadCluster();
    const { defaultsFrom } = await import('../request-fields.js');
    const result = await cluster.enqueue(args.input, {
      redis: args.redis,
      out: args.out,
      queue: args.queue,
      defaults: defaultsFrom(args),
      fit: args.fit,
      retries: parseIntegerIn('retries', args.retries, 0, 20),
      onWarning: (m: string) => process.stderr.write(`warning: ${m}\n`),
    });
    process.stdout.write(`queued ${result.added} of ${result.items} items (${result.alreadyQueued} were already queued) on ${args.redis} queue ${args.queue}\n`);
  },
};
