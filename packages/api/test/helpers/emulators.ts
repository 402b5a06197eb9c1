/** Emulators started by a test file, closed after each test. */
import { startEmulator, type Emulator, type EmulatorOptions } from '@backdrop/emulator';
import { afterEach } from 'vitest';

/** Registers an afterEach that closes every emulator the returned function started. */
export function emulatorsClosedAfterEach(defaults: EmulatorOptions = {}): (options?: EmulatorOptions) => Promise<Emulator> {
  let started: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(started.map((e) => e.close()));
    started = [];
  });
  return async (options = {}) => {
    const e = await startEmulator({ ...defaults, ...options });
    started.push(e);
    return e;
  };
}
