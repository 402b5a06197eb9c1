import { corrupt } from './format-problem.js';

/** Element types a checkpoint storage may hold; all are delivered as float32. */
export type StorageDtype = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Bytes per element. */
export const DTYPE_SIZE: Readonly<Record<StorageDtype, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let halfTable: Float32Array | undefined;

/** float16 bit pattern → float32 value, for all 65536 patterns (exact: every half is a float). */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0; // inf / NaN with payload kept
    } else if (exp !== 0) {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0; // rebias 15 → 127
    } else {
      table[h] = (sign ? -1 : 1) * mant * 2 ** -24; // zero and subnormals, exact in float32
    }
  }
  halfTable = table;
  return table;
}

/**
 * The `count` elements of `dtype` at `bytes[byteOffset…]`, stored with the given byte order, as a fresh Float32Array.
 * float16 and bfloat16 are exact; float64 and int64 are rounded to the nearest float32.
 */
export function decodeToFloat32(bytes: Uint8Array, byteOffset: number, count: number, dtype: StorageDtype, littleEndian: boolean): Float32Array {
  const size = DTYPE_SIZE[dtype];
  const byteLength = count * size;
  if (byteOffset < 0 || byteOffset + byteLength > bytes.length) {
    corrupt(`storage data ends early: ${byteLength} bytes needed at ${byteOffset}, ${bytes.length} present`);
  }
  let src = bytes.subarray(byteOffset, byteOffset + byteLength);
  if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) {
    src = swapBytes(src, size);
  } else if (src.byteOffset % size !== 0) {
    src = new Uint8Array(src); // a copy (Buffer#slice would not copy): typed-array views need aligned offsets
  }
  const { buffer, byteOffset: at } = src;
  const out = new Float32Array(count);
  switch (dtype) {
    case 'float32':
      out.set(new Float32Array(buffer, at, count));
      break;
    case 'float16': {
      const table = halfToFloatTable();
      const halves = new Uint16Array(buffer, at, count);
      for (let i = 0; i < count; i++) out[i] = table[halves[i]];
      break;
    }
    case 'bfloat16': {
      const halves = new Uint16Array(buffer, at, count);
      const outBits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) outBits[i] = halves[i] << 16;
      break;
    }
    case 'float64':
      out.set(new Float64Array(buffer, at, count));
      break;
    case 'int64': {
      const longs = new BigInt64Array(buffer, at, count);
      for (let i = 0; i < count; i++) out[i] = Number(longs[i]);
      break;
    }
    case 'int32':
      out.set(new Int32Array(buffer, at, count));
      break;
    case 'int16':
      out.set(new Int16Array(buffer, at, count));
      break;
    case 'int8':
      out.set(new Int8Array(buffer, at, count));
      break;
    case 'uint8':
    case 'bool':
      out.set(new Uint8Array(buffer, at, count));
      break;
  }
  return out;
}

/**
 * Reads single elements of `dtype` from `bytes` by byte offset, converted exactly as {@link decodeToFloat32}
 * converts them; for strided views, which are gathered element by element instead of decoding their whole span.
 */
export function elementReader(bytes: Uint8Array, dtype: StorageDtype, littleEndian: boolean): (byteOffset: number) => number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = littleEndian;
  switch (dtype) {
    case 'float32':
      return (o) => v.getFloat32(o, le);
    case 'float64':
      return (o) => v.getFloat64(o, le);
    case 'float16': {
      const table = halfToFloatTable();
      return (o) => table[v.getUint16(o, le)];
    }
    case 'bfloat16': {
      const f = new Float32Array(1);
      const u = new Uint32Array(f.buffer);
      return (o) => {
        u[0] = v.getUint16(o, le) << 16;
        return f[0];
      };
    }
    case 'int64':
      return (o) => Number(v.getBigInt64(o, le));
    case 'int32':
      return (o) => v.getInt32(o, le);
    case 'int16':
      return (o) => v.getInt16(o, le);
    case 'int8':
      return (o) => v.getInt8(o);
    case 'uint8':
    case 'bool':
      return (o) => v.getUint8(o);
  }
}

function swapBytes(src: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = src[i + size - 1 - j];
  }
  return out;
}
