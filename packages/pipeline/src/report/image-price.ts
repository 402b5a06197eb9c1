import { BatchError } from '../errors.js';
import type { ImagePrice } from './report-model.js';

/** The environment variable read when no `--price-per-image` is given. */
export const PRICE_ENV = 'BACKDROP_PRICE_PER_IMAGE';

/** The price is not a number followed by an optional currency. */
export class InvalidPriceError extends BatchError {
  constructor(given: string, from: string) {
    super('INVALID_PRICE', `${from} must be a number and an optional currency, e.g. "0.08 CNY" (got "${given}")`, { userError: true });
  }
}

/** Parses `0.08`, `0.08 CNY`, `CNY 0.08` or `¥0.08`; `from` names the flag or variable in the error. */
export function parseImagePrice(text: string, from: string): ImagePrice {
  const t = text.trim();
  const m = /^([^\d\s.+-]*)\s*(\d+(?:\.\d+)?)\s*(\S*)$/u.exec(t);
  if (!m || (m[1] && m[3])) throw new InvalidPriceError(text, from);
  const amount = Number(m[2]);
  if (!Number.isFinite(amount)) throw new InvalidPriceError(text, from);
  return { amount, currency: m[1] || m[3] || '' };
}

/** Formats an amount of money with the currency as given (`1.28 CNY`, `¥1.28`). */
export function formatMoney(amount: number, currency: string): string {
  const n = amount.toFixed(amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2);
  if (!currency) return n;
  return /^[^\p{L}]+$/u.test(currency) ? `${currency}${n}` : `${n} ${currency}`;
}

/** The price from a flag value, else from `BACKDROP_PRICE_PER_IMAGE`, else none. */
export function imagePriceFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ImagePrice | undefined {
  if (flag !== undefined && flag !== '') return parseImagePrice(flag, '--price-per-image');
  const v = env[PRICE_ENV];
  if (v !== undefined && v.trim() !== '') return parseImagePrice(v, PRICE_ENV);
  return undefined;
}
