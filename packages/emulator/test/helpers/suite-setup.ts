/** Per-file and per-test setup shared by the test files: a served subject image, emulators closed after each test. */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/index.js';
import { type InputServer, startInputServer } from './input-server.js';
import { makeSubject } from './test-images.js';

/** Serves a synthetic subject PNG for the whole file; returns a getter of its URL (valid inside tests). */
export function serveSubjectForFile(width: number, height: number): () => string {
  let inputs: InputServer | undefined;
  let url = '';
  beforeAll(async () => {
    inputs = await startInputServer();
    url = inputs.put('/subject.png', await makeSubject(width, height), 'image/png');
  });
  afterAll(async () => inputs?.close());
  return () => url;
}

/** Returns a `startEmulator` whose emulators are closed after each test. */
export function emulatorPerTest(): (options?: EmulatorOptions) => Promise<Emulator> {
  const started: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.close()));
  });
  return async (options) => {
    const emulator = await startEmulator(options);
    started.push(emulator);
    return emulator;
  };
}
