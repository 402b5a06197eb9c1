import { createReadStream } from 'node:fs';

/** Longest manifest line accepted: an item is a few hundred bytes; 1 MiB leaves room for anything sane. */
export const MAX_MANIFEST_LINE_BYTES = 1024 * 1024;

/** One line of a manifest, or the note that line `line` was longer than the cap (its text dropped). */
export type ManifestLine = { line: number; text: string } | { line: number; tooLong: true; bytes: number };

/**
 * Streams a file's lines (split on `\n`, a trailing `\r` removed, UTF-8) holding at most `maxLineBytes`
 * of any one line in memory: a longer line is reported as `tooLong` and skipped to its end, so a file of
 * one endless line costs bounded memory (Node's readline would buffer it whole, then throw a RangeError).
 */
export async function* manifestLines(file: string, maxLineBytes = MAX_MANIFEST_LINE_BYTES): AsyncGenerator<ManifestLine> {
  const decoder = new TextDecoder('utf-8');
  let parts: Buffer[] = [];
  let held = 0;
  let skipped = 0;
  let line = 1;
  const finish = (): ManifestLine => {
    const result: ManifestLine = skipped > 0 ? { line, tooLong: true, bytes: held + skipped } : { line, text: decoder.decode(Buffer.concat(parts, held)).replace(/\r$/, '') };
    parts = [];
    held = 0;
    skipped = 0;
    line++;
    return result;
  };
  const take = (piece: Buffer): void => {
    if (skipped > 0 || held + piece.length > maxLineBytes) {
      // Over the cap: drop what was held (its length still counts) and skip to the end of the line.
      skipped += piece.length;
      parts = [];
      return;
    }
    parts.push(piece);
    held += piece.length;
  };
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) {
        take(chunk.subarray(from));
        break;
      }
      take(chunk.subarray(from, nl));
      yield finish();
      from = nl + 1;
    }
  }
  if (held > 0 || skipped > 0) yield finish();
}
