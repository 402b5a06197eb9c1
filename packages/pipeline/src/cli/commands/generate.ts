import type { CommandModule } from 'yargs';

/** `backdrop generate` — placeholder until its issue lands. */
export const generateCommand: CommandModule = {
  command: 'generate',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop generate is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
