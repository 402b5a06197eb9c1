/**
 * The API key is a secret: this module is the only place that turns it into something printable.
 * `apiKeyFingerprint` names a key in logs, journals and lock files; `redactSecrets` scrubs a key out
 * of any text (server messages, network error messages) before it reaches an error or a logger.
 */
import { createHash } from 'node:crypto';

/** A stable, non-reversible name for an API key: `key_` + the first 8 hex digits of its SHA-256. */
export function apiKeyFingerprint(apiKey: string): string {
  return 'key_' + createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 8);
}

/** Replaces every occurrence of `apiKey` in `text` with its fingerprint. */
export function redactSecrets(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4 || !text.includes(apiKey)) return text;
  return text.split(apiKey).join(apiKeyFingerprint(apiKey));
}
