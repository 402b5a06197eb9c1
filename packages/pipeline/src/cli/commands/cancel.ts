import type { CommandModule } from 'yargs';

/** `backdrop cancel` — placeholder until its issue lands. */
export const cancelCommand: CommandModule = {
  command: 'cancel',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop cancel is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
