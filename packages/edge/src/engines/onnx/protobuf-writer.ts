/**
 * The few protocol-buffers wire-format encodings an ONNX ModelProto needs: varints (wire type 0),
 * length-delimited fields (wire type 2: strings, bytes, nested messages). Messages are built as lists
 * of byte chunks and joined once, so a 60 MB initialiser is copied only into the final buffer.
 */

/** An encoded message (or part of one) as chunks in order. */
export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  /** Encoded length in bytes. */
  get byteLength(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.byteLength;
  }

  /** A varint field (int32/int64/enum; non-negative values, or negative as 10-byte two's complement). */
  varint(field: number, value: number): this {
    this.push(encodeVarint(field * 8));
    this.push(encodeVarint(value));
    return this;
  }

  /** A length-delimited field holding raw bytes. */
  bytes(field: number, value: Uint8Array): this {
    this.push(encodeVarint(field * 8 + 2));
    this.push(encodeVarint(value.byteLength));
    this.push(value);
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message field. */
  message(field: number, value: ProtoMessage): this {
    this.push(encodeVarint(field * 8 + 2));
    this.push(encodeVarint(value.size));
    for (const c of value.chunks) this.push(c);
    return this;
  }

  /** The whole message as one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }
}

/** Base-128 varint of an integer (negative numbers as 64-bit two's complement, as protobuf does). */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new RangeError(`varint of a non-integer or unsafe value: ${value}`);
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    bytes.push(b);
  } while (v !== 0n);
  return Uint8Array.from(bytes);
}
