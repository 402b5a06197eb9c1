/**
 * Command argument types derived from each command's yargs builder, so that what a handler reads is
 * exactly what its options declare (no hand-written interface that can drift, no casts).
 */
import type { Argv } from 'yargs';

/** The parsed arguments a builder `(yargs) => yargs.positional(…).options(…)` declares. */
export type BuilderArgs<B> = B extends (yargs: Argv) => Argv<infer T> ? T : never;
