/**
 * `backdrop emulator` — runs the local DashScope stand-in (`@backdrop/emulator`) until SIGINT/SIGTERM.
 * The first stdout line is `listening on <base URL>`, so scripts can read the address.
 */
import type { EmulatorFaults, EmulatorOptions } from '@backdrop/emulator';
import type { Argv, CommandModule } from 'yargs';
import type { BuilderArgs } from '../command-args.js';
import { parseIntegerIn, parseMsOrRange, parseNumberIn, stringList } from '../option-parsers.js';
import { waitForShutdownSignal } from '../shutdown-signals.js';

const builder = (yargs: Argv) =>
  yargs
    .options({
      port: { type: 'number', default: 8787, describe: 'Port to listen on (0 = any free port)' },
      host: { type: 'string', default: '127.0.0.1', describe: 'Address to bind (only this machine by default)' },
      'concurrency-policy': {
        choices: ['queue', 'reject'] as const,
        default: 'queue' as const,
        describe: 'A second task while one runs: queue it (PENDING) or refuse it (429 Throttling.AllocationQuota)',
      },
      'input-download-failure': {
        choices: ['submit', 'task'] as const,
        default: 'submit' as const,
        describe: 'An input it cannot download: refuse the submit (400 InvalidParameter) or fail the task (InternalError.Algo.InvalidParameter)',
      },
      'task-ms': { type: 'string', describe: "How long a task runs, in ms: N or MIN-MAX (default: the emulator's)" },
      'time-scale': { type: 'number', describe: 'Multiply the lifetimes of tasks and results (24 h) and uploads (48 h), e.g. 1e-5' },
      seed: { type: 'number', describe: 'Seed for task run times, generated images and fault draws (task and request ids stay random UUIDs)' },
      'api-key': { type: 'string', describe: 'Accepted API key; repeat for several (default: any non-empty key; each key is its own account)' },
      'max-qps': { type: 'number', describe: "Submit calls per key per sliding second, refused ones included (default 2, the service's)" },
      'max-running': { type: 'number', describe: 'Tasks running at once per key (default 1)' },
      'max-queries': { type: 'number', describe: 'Task queries (get and list) per key per sliding second (default 20)' },
      'fail-rate': { type: 'number', describe: 'Fraction 0–1 of tasks that end FAILED' },
      'error-rate': { type: 'number', describe: 'Fraction 0–1 of requests answered 500 InternalError' },
      'drop-rate': { type: 'number', describe: 'Fraction 0–1 of requests whose connection is dropped without a reply' },
      'slow-rate': { type: 'number', describe: 'Fraction 0–1 of replies delayed by 2 s' },
      'partial-rate': { type: 'number', describe: 'Fraction 0–1 of tasks with n ≥ 2 that SUCCEED with some images missing (entries with code/message, task_metrics.FAILED > 0)' },
    })
    .example('$0 emulator --port 8787 --task-ms 1000-3000', 'Then: DASHSCOPE_HTTP_BASE_URL=http://127.0.0.1:8787/api/v1 DASHSCOPE_API_KEY=emulator backdrop generate …');

type EmulatorArgs = BuilderArgs<typeof builder>;

export const emulatorCommand: CommandModule<object, EmulatorArgs> = {
  command: 'emulator',
  describe: 'Run a local DashScope-compatible emulator (wanx-background-generation-v2) until Ctrl-C',
  builder,
  handler: async (args) => {
    const port = parseIntegerIn('port', args.port, 0, 65535);
    const options: EmulatorOptions = {
      port,
      host: args.host,
      concurrencyPolicy: args.concurrencyPolicy,
      inputDownloadFailure: args.inputDownloadFailure,
    };
    if (args.taskMs !== undefined) options.taskMs = parseMsOrRange('task-ms', args.taskMs);
    if (args.timeScale !== undefined) options.timeScale = parseNumberIn('time-scale', args.timeScale, 0, 1000);
    if (args.seed !== undefined) options.seed = parseIntegerIn('seed', args.seed, 0, Number.MAX_SAFE_INTEGER);
    if (args.maxQps !== undefined) options.submitQps = parseIntegerIn('max-qps', args.maxQps, 1, 100_000);
    if (args.maxRunning !== undefined) options.maxRunning = parseIntegerIn('max-running', args.maxRunning, 1, 100_000);
    if (args.maxQueries !== undefined) options.queryQps = parseIntegerIn('max-queries', args.maxQueries, 1, 100_000);
    const keys = stringList(args.apiKey).filter((k) => k.trim() !== '');
    if (keys.length > 0) options.apiKeys = keys;
    const faults: EmulatorFaults = {};
    if (args.failRate !== undefined) faults.taskFailureRate = parseNumberIn('fail-rate', args.failRate, 0, 1);
    if (args.errorRate !== undefined) faults.serverErrorRate = parseNumberIn('error-rate', args.errorRate, 0, 1);
    if (args.dropRate !== undefined) faults.dropConnectionRate = parseNumberIn('drop-rate', args.dropRate, 0, 1);
    if (args.slowRate !== undefined) faults.slowReplyRate = parseNumberIn('slow-rate', args.slowRate, 0, 1);
    if (args.partialRate !== undefined) faults.partialRate = parseNumberIn('partial-rate', args.partialRate, 0, 1);
    if (Object.keys(faults).length > 0) options.faults = faults;

    const { startEmulator } = await import('@backdrop/emulator');
    const stopped = waitForShutdownSignal();
    const emulator = await startEmulator(options);
    process.stdout.write(`listening on ${emulator.baseUrl}\n`);
    process.stderr.write(
      `backdrop emulator: ${keys.length > 0 ? `${keys.length} API key(s) accepted` : 'any non-empty API key accepted'}, ` +
        `concurrency policy ${args.concurrencyPolicy}. Ctrl-C to stop.\n`,
    );
    const signal = await stopped;
    await emulator.close();
    process.stderr.write(`backdrop emulator: stopped (${signal}).\n`);
  },
};
