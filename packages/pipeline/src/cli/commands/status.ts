import type { CommandModule } from 'yargs';

/** `backdrop status` — placeholder until its issue lands. */
export const statusCommand: CommandModule = {
  command: 'status',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop status is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
