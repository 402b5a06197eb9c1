import { ByteCursor } from './byte-cursor.js';
import { corrupt } from './format-problem.js';
import { DTYPE_SIZE, decodeToFloat32, type StorageDtype } from './storage-dtype.js';
import { checkedElementCount, type TensorEntry } from './tensor-entry.js';

/** safetensors dtype names ↔ storage element types. */
const SAFETENSORS_DTYPES: Readonly<Record<string, StorageDtype>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** Largest JSON header accepted (the format's own limit is 100 MB; HED's header is about 4 KB). */
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** True when `bytes` starts like a safetensors file: an 8-byte little-endian header size, then `{`. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return bytes[8] === 0x7b && n >= 2n && n <= BigInt(bytes.length - 8);
}

/**
 * Reads a `.safetensors` file: 8-byte LE header length, JSON header (dtype, shape, data_offsets), raw LE data.
 * Names, shapes and offsets are checked now; the data is decoded by each entry's `load()`.
 */
export function readSafetensors(bytes: Uint8Array): TensorEntry[] {
  const c = new ByteCursor(bytes, 0, bytes.length, 'safetensors file');
  const headerLength = c.u64();
  if (headerLength > MAX_HEADER_BYTES) corrupt(`safetensors header of ${headerLength} bytes is implausible`);
  const headerBytes = c.slice(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    return corrupt(`safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) corrupt('safetensors header is not a JSON object');
  const dataStart = c.pos;
  const dataLength = bytes.length - dataStart;
  const entries: TensorEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype: dtypeName, shape, data_offsets: offsets } = (info ?? {}) as Record<string, unknown>;
    const dtype = typeof dtypeName === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, dtypeName) ? SAFETENSORS_DTYPES[dtypeName] : undefined;
    if (!dtype) corrupt(`tensor '${name}' has unsupported dtype ${JSON.stringify(dtypeName)}`);
    if (!isCountList(shape)) corrupt(`tensor '${name}' has a bad shape ${JSON.stringify(shape)}`);
    if (!isCountList(offsets) || offsets.length !== 2 || offsets[0] > offsets[1] || offsets[1] > dataLength) {
      corrupt(`tensor '${name}' has bad data_offsets ${JSON.stringify(offsets)} for ${dataLength} data bytes`);
    }
    const numel = checkedElementCount(name, shape);
    if (offsets[1] - offsets[0] !== numel * DTYPE_SIZE[dtype]) {
      corrupt(`tensor '${name}' ${dtypeName}[${shape.join(', ')}] does not fill its ${offsets[1] - offsets[0]} data bytes`);
    }
    const start = dataStart + offsets[0];
    entries.push({ name, shape: [...shape], numel, load: () => decodeToFloat32(bytes, start, numel, dtype, true) });
  }
  if (entries.length === 0) corrupt('the safetensors file holds no tensors');
  return entries;
}

function isCountList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
}
