import type { CommandModule } from 'yargs';

/** `backdrop emulator` — placeholder until its issue lands. */
export const emulatorCommand: CommandModule = {
  command: 'emulator',
  describe: '(not built yet)',
  handler: () => {
    throw Object.assign(new Error('backdrop emulator is not built yet'), { code: 'NOT_BUILT', exitCode: 2 });
  },
};
