#!/usr/bin/env node
/**
 * `backdrop` — the command-line entry point. Each command lives in `commands/<name>.ts`
 * and exports a yargs CommandModule; errors are turned into one line and an exit code by
 * `report-error.ts` (never a stack trace for a user mistake).
 *
 * Start-up loads yargs and the commands' option declarations only: a command module imports nothing
 * heavy, and its handler loads what the command needs (`commands/<name>-run.ts`, the API client, HED,
 * the emulator…) when it runs, so `--help` or `backdrop edge` does not pay for every package.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { batchCommand } from './commands/batch.js';
import { cancelCommand } from './commands/cancel.js';
import { edgeCommand } from './commands/edge.js';
import { emulatorCommand } from './commands/emulator.js';
import { enqueueCommand } from './commands/enqueue.js';
import { generateCommand } from './commands/generate.js';
import { reportCommand } from './commands/report.js';
import { retitleCommand } from './commands/retitle.js';
import { queueCommand } from './commands/queue.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';
import { reportErrorAndExit } from './report-error.js';
import { usageMessage } from './usage-message.js';
import { backdropVersion } from './version.js';

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('backdrop')
    .usage('$0 <command> [options]\n\nProduct-image backgrounds with wanx-background-generation-v2 (DashScope).')
    .command(generateCommand)
    .command(batchCommand)
    .command(edgeCommand)
    .command(statusCommand)
    .command(cancelCommand)
    .command(emulatorCommand)
    .command(reportCommand)
    .command(retitleCommand)
    .command(enqueueCommand)
    .command(workerCommand)
    .command(queueCommand)
    .demandCommand(1, 'Name a command; see `backdrop --help`.')
    .recommendCommands()
    .strict()
    .version(backdropVersion)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) reportErrorAndExit(error);
      // A usage mistake: one line, exit 2.
      process.stderr.write(`backdrop: ${usageMessage(message, argv)}\n`);
      process.exit(2);
    })
    .parseAsync();
}

main(hideBin(process.argv)).catch(reportErrorAndExit);
