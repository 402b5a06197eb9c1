import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible name for an API key (`key_` + first 8 hex digits of its SHA-256), used in
 * stats and logs so the key itself never appears there.
 */
export function fingerprintApiKey(apiKey: string): string {
  return `key_${createHash('sha256').update(apiKey).digest('hex').slice(0, 8)}`;
}
