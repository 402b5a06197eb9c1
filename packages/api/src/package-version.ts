/** This package's version and the User-Agent it sends. */
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { version: string };

/** The version of @backdrop/api. */
export const PACKAGE_VERSION: string = manifest.version;

/** `backdrop/<version> (@backdrop/api; node <version>; <platform>)`. */
export const USER_AGENT = `backdrop/${PACKAGE_VERSION} (@backdrop/api; node ${process.version}; ${process.platform})`;
