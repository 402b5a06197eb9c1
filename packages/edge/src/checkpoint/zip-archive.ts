import { crc32, inflateRawSync } from 'node:zlib';
import { ByteCursor } from './byte-cursor.js';
import { corrupt } from './format-problem.js';

/** One file of a zip archive, from its central-directory record. */
export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const utf8 = new TextDecoder('utf-8');

/** Reads the central directory of a zip (incl. zip64) held in memory. */
export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();

  constructor(private readonly bytes: Uint8Array) {
    const eocd = findEndOfCentralDirectory(bytes);
    const c = new ByteCursor(bytes, eocd + 10, bytes.length, 'zip end record');
    let count = c.u16();
    let cdSize = c.u32();
    let cdOffset = c.u32();
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      ({ count, cdSize, cdOffset } = readZip64End(bytes, eocd));
    }
    if (cdOffset + cdSize > bytes.length) corrupt(`zip central directory at ${cdOffset} lies beyond the end of the file`);
    const cd = new ByteCursor(bytes, cdOffset, cdOffset + cdSize, 'zip central directory');
    for (let i = 0; i < count; i++) {
      if (cd.u32() !== CENTRAL_HEADER) corrupt(`zip central directory record ${i} is damaged`);
      cd.take(6);
      const method = cd.u16();
      cd.take(4);
      const crc = cd.u32();
      let compressedSize = cd.u32();
      let size = cd.u32();
      const nameLength = cd.u16();
      const extraLength = cd.u16();
      const commentLength = cd.u16();
      cd.take(8);
      let localHeaderOffset = cd.u32();
      const name = utf8.decode(cd.slice(nameLength));
      const extra = new ByteCursor(bytes, cd.take(extraLength), cd.pos, 'zip extra field');
      cd.take(commentLength);
      while (extra.remaining >= 4) {
        const id = extra.u16();
        const len = extra.u16();
        const end = extra.pos + len;
        if (id === 0x0001) {
          // zip64: only the fields that overflowed, in this order
          if (size === 0xffffffff) size = extra.u64();
          if (compressedSize === 0xffffffff) compressedSize = extra.u64();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = extra.u64();
        }
        extra.pos = Math.min(end, extra.end);
      }
      this.entries.set(name, { name, method, crc32: crc, compressedSize, size, localHeaderOffset });
    }
  }

  /** The entry's contents (a view when stored, inflated when deflated), CRC-checked. */
  read(entry: ZipEntry): Uint8Array {
    const h = new ByteCursor(this.bytes, entry.localHeaderOffset, this.bytes.length, `zip entry ${entry.name}`);
    if (h.u32() !== LOCAL_HEADER) corrupt(`zip entry ${entry.name} has no local header at ${entry.localHeaderOffset}`);
    h.take(22);
    const nameLength = h.u16();
    const extraLength = h.u16();
    h.take(nameLength + extraLength);
    const raw = h.slice(entry.compressedSize);
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      try {
        // Capped at the size the directory states: a crafted entry cannot inflate to gigabytes first.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
          return corrupt(`zip entry ${entry.name} inflates to more than the ${entry.size} bytes its directory states`);
        }
        return corrupt(`zip entry ${entry.name} does not inflate (${(e as Error).message})`);
      }
    } else {
      return corrupt(`zip entry ${entry.name} uses compression method ${entry.method} (only stored and deflate are supported)`);
    }
    if (data.length !== entry.size) corrupt(`zip entry ${entry.name} has ${data.length} bytes, its directory says ${entry.size}`);
    if (crc32(data) !== entry.crc32) corrupt(`zip entry ${entry.name} fails its CRC-32 check`);
    return data;
  }
}

function findEndOfCentralDirectory(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (view.getUint32(i, true) === EOCD) return i;
  }
  return corrupt('zip end-of-central-directory record not found (the file is probably truncated)');
}

function readZip64End(bytes: Uint8Array, eocd: number): { count: number; cdSize: number; cdOffset: number } {
  if (eocd < 20) corrupt('zip64 end-of-central-directory locator missing');
  const loc = new ByteCursor(bytes, eocd - 20, eocd, 'zip64 locator');
  if (loc.u32() !== ZIP64_LOCATOR) corrupt('zip64 end-of-central-directory locator missing');
  loc.take(4);
  const recordOffset = loc.u64();
  const rec = new ByteCursor(bytes, recordOffset, bytes.length, 'zip64 end record');
  if (rec.u32() !== ZIP64_EOCD) corrupt('zip64 end-of-central-directory record missing');
  rec.take(8 + 2 + 2 + 4 + 4 + 8);
  const count = rec.u64();
  const cdSize = rec.u64();
  const cdOffset = rec.u64();
  return { count, cdSize, cdOffset };
}
