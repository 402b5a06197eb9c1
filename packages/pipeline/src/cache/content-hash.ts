import { createHash } from 'node:crypto';

/** SHA-256 of some bytes (and optional extra parts, e.g. options), hex. */
export function sha256Hex(data: Uint8Array | string, ...extra: string[]): string {
  const h = createHash('sha256').update(data);
  for (const e of extra) h.update('\0').update(e);
  return h.digest('hex');
}
