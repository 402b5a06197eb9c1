import { corrupt } from './format-problem.js';

/** Bounds-checked little-endian reader over a byte range; running past the end is reported as truncation. */
export class ByteCursor {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
    private readonly what = 'file',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Advances over `n` bytes and returns the offset where they start. */
  take(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.end - this.pos) {
      corrupt(`${this.what} ends early: ${n} bytes wanted at offset ${this.pos}, ${Math.max(0, this.end - this.pos)} left`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(): number {
    return this.bytes[this.take(1)];
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  /** Unsigned 64-bit value; must fit a safe integer. */
  u64(): number {
    const v = this.view.getBigUint64(this.take(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) corrupt(`${this.what}: 64-bit size ${v} at offset ${this.pos - 8} is implausible`);
    return Number(v);
  }
  /** Signed 64-bit value; must fit a safe integer. */
  i64(): number {
    const v = this.view.getBigInt64(this.take(8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      corrupt(`${this.what}: 64-bit value ${v} at offset ${this.pos - 8} is implausible`);
    }
    return Number(v);
  }
  f64be(): number {
    return this.view.getFloat64(this.take(8), false);
  }
  /** A view (no copy) of the next `n` bytes. */
  slice(n: number): Uint8Array {
    const at = this.take(n);
    return this.bytes.subarray(at, at + n);
  }
}
