import type { CommandModule } from 'yargs';

/** `backdrop edge` — placeholder until its issue lands. */
export const edgeCommand: CommandModule = {
  command: 'edge',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop edge is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
