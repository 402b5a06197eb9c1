/**
 * Parsers for option values yargs cannot check by type alone. Each throws a `CliUsageError` naming
 * the option and the accepted form.
 */
import { CliUsageError } from './cli-errors.js';

/** `N` or `MIN-MAX` milliseconds → a number or a `[min, max]` range. */
export function parseMsOrRange(option: string, value: string | number): number | [number, number] {
  const text = String(value).trim();
  const single = /^\d+(\.\d+)?$/.exec(text);
  if (single) return Number(text);
  const range = /^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(text);
  if (range) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (min <= max) return [min, max];
  }
  throw new CliUsageError('INVALID_OPTION', `--${option} must be N or MIN-MAX milliseconds (e.g. 2000 or 1000-4000), got "${text}".`);
}

/** A finite number within [min, max]. */
export function parseNumberIn(option: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CliUsageError('INVALID_OPTION', `--${option} must be a number from ${min} to ${max}, got "${String(value)}".`);
  }
  return n;
}

/** An integer within [min, max]. */
export function parseIntegerIn(option: string, value: unknown, min: number, max: number): number {
  const n = parseNumberIn(option, value, min, max);
  if (!Number.isInteger(n)) {
    throw new CliUsageError('INVALID_OPTION', `--${option} must be a whole number from ${min} to ${max}, got "${String(value)}".`);
  }
  return n;
}

/** Normalises an option that may be given once or repeated into a list of strings. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}
