import { readFileSync } from 'node:fs';

/** The version of @backdrop/cli, read from its package.json. */
export const backdropVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
