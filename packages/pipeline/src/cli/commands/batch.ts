import type { CommandModule } from 'yargs';

/** `backdrop batch` — placeholder until its issue lands. */
export const batchCommand: CommandModule = {
  command: 'batch',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop batch is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
