/**
 * Test-only writers for PyTorch checkpoints (zip and legacy `torch.save` formats), byte by byte, so the
 * loader can be checked on layouts the golden files do not cover (strides, offsets, shared storages,
 * big-endian, deflate) and on crafted malicious pickles.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { floatToHalfBits } from '../../src/checkpoint/write-safetensors.js';
import type { StateDict } from '../../src/checkpoint/state-dict.js';

export type WriteDtype = 'float32' | 'float16' | 'bfloat16' | 'float64';

const STORAGE_CLASS: Record<WriteDtype, string> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  float64: 'DoubleStorage',
};
const SIZE: Record<WriteDtype, number> = { float32: 4, float16: 2, bfloat16: 2, float64: 8 };

/** A storage: its values and element type. */
export interface StorageSpec {
  dtype: WriteDtype;
  values: ArrayLike<number>;
}

/** A tensor entry: a strided view of a named storage. */
export interface TensorSpec {
  name: string;
  storage: string;
  offset: number;
  shape: number[];
  stride: number[];
}

export interface CheckpointSpec {
  storages: Map<string, StorageSpec>;
  tensors: TensorSpec[];
}

/** Contiguous layout of a StateDict, one storage per tensor (as torch.save writes a state dict). */
export function specFromStateDict(sd: StateDict, dtype: WriteDtype): CheckpointSpec {
  const storages = new Map<string, StorageSpec>();
  const tensors: TensorSpec[] = [];
  let i = 0;
  for (const [name, t] of sd) {
    const key = String(i++);
    storages.set(key, { dtype, values: t.data });
    tensors.push({ name, storage: key, offset: 0, shape: t.shape, stride: rowMajorStrides(t.shape) });
  }
  return { storages, tensors };
}

export function rowMajorStrides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** Raw storage bytes. */
function encodeStorage(s: StorageSpec, littleEndian = true): Uint8Array {
  const size = SIZE[s.dtype];
  const out = new Uint8Array(s.values.length * size);
  const v = new DataView(out.buffer);
  for (let i = 0; i < s.values.length; i++) {
    const x = s.values[i];
    const at = i * size;
    if (s.dtype === 'float32') v.setFloat32(at, x, littleEndian);
    else if (s.dtype === 'float64') v.setFloat64(at, x, littleEndian);
    else if (s.dtype === 'float16') v.setUint16(at, floatToHalfBits(x), littleEndian);
    else {
      const f = new Float32Array([x]);
      v.setUint16(at, new Uint32Array(f.buffer)[0] >>> 16, littleEndian); // truncation: exact for bf16-representable values
    }
  }
  return out;
}

/** Minimal pickle assembler (protocol 2 opcodes as torch.save emits them). */
export class PickleBuilder {
  private readonly parts: number[] = [];

  raw(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  op(ch: string): this {
    return this.raw(ch.charCodeAt(0));
  }
  proto(v = 2): this {
    return this.raw(0x80, v);
  }
  mark(): this {
    return this.op('(');
  }
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    this.raw(0x58, ...u32(b.length));
    return this.raw(...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.raw(0x4b, n);
    if (n >= 0 && n < 65536) return this.raw(0x4d, n & 0xff, n >> 8);
    return this.raw(0x4a, ...u32(n >>> 0));
  }
  global(module: string, name: string): this {
    this.op('c');
    return this.raw(...new TextEncoder().encode(`${module}\n${name}\n`));
  }
  tuple(items: (() => void)[]): this {
    this.mark();
    for (const f of items) f();
    return this.op('t');
  }
  ints(ns: number[]): this {
    return this.tuple(ns.map((n) => () => this.int(n)));
  }
  none(): this {
    return this.op('N');
  }
  stop(): this {
    return this.op('.');
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** The main state-dict pickle: OrderedDict of `_rebuild_tensor_v2(storage pid, offset, size, stride, False, OrderedDict())`. */
export function stateDictPickle(spec: CheckpointSpec, format: 'zip' | 'legacy'): Uint8Array {
  const p = new PickleBuilder().proto(2);
  p.global('collections', 'OrderedDict').op(')').op('R');
  p.mark();
  for (const t of spec.tensors) {
    const s = spec.storages.get(t.storage)!;
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    p.tuple([
      () => p.str('storage'),
      () => p.global('torch', STORAGE_CLASS[s.dtype]),
      () => p.str(t.storage),
      () => p.str('cpu'),
      () => p.int(s.values.length),
      ...(format === 'legacy' ? [() => p.none()] : []),
    ]).op('Q');
    p.int(t.offset).ints(t.shape).ints(t.stride).raw(0x89);
    p.global('collections', 'OrderedDict').op(')').op('R');
    p.op('t').op('R');
  }
  p.op('u');
  // _metadata set through BUILD, as a real state_dict() has
  p.mark().str('_metadata').global('collections', 'OrderedDict').op(')').op('R').op('d').op('b');
  return p.stop().bytes();
}

export interface ZipOptions {
  prefix?: string;
  byteorder?: 'little' | 'big' | null;
  deflate?: boolean;
  /** Replace data.pkl with these bytes (crafted pickles). */
  pickle?: Uint8Array;
  /** Write zip64 records (as for archives over 4 GiB) although they are not needed. */
  zip64?: boolean;
}

/** A `torch.save` zip checkpoint. */
export function writeTorchZip(spec: CheckpointSpec, o: ZipOptions = {}): Uint8Array {
  const prefix = o.prefix ?? 'archive';
  const littleEndian = o.byteorder !== 'big';
  const files: [string, Uint8Array][] = [[`${prefix}/data.pkl`, o.pickle ?? stateDictPickle(spec, 'zip')]];
  if (o.byteorder !== null) files.push([`${prefix}/byteorder`, new TextEncoder().encode(o.byteorder ?? 'little')]);
  for (const [key, s] of spec.storages) files.push([`${prefix}/data/${key}`, encodeStorage(s, littleEndian)]);
  files.push([`${prefix}/version`, new TextEncoder().encode('3\n')]);
  return writeZip(files, o.deflate ?? false, o.zip64 ?? false);
}

/** A plain zip (stored or deflated), local headers + central directory + end record. */
export function writeZip(files: [string, Uint8Array][], deflate: boolean, zip64 = false): Uint8Array {
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = new TextEncoder().encode(name);
    const body = deflate ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const cd = new Uint8Array(46 + nameBytes.length + (zip64 ? 28 : 0));
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    if (zip64) {
      // sizes and offset move to the zip64 extra field (id 1): size, compressed size, local header offset
      cv.setUint32(20, 0xffffffff, true);
      cv.setUint32(24, 0xffffffff, true);
      cv.setUint32(42, 0xffffffff, true);
      cv.setUint16(30, 28, true);
      const x = 46 + nameBytes.length;
      cv.setUint16(x, 0x0001, true);
      cv.setUint16(x + 2, 24, true);
      cv.setBigUint64(x + 4, BigInt(data.length), true);
      cv.setBigUint64(x + 12, BigInt(body.length), true);
      cv.setBigUint64(x + 20, BigInt(offset), true);
    }
    out.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : files.length, true);
  ev.setUint16(10, zip64 ? 0xffff : files.length, true);
  ev.setUint32(12, zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, zip64 ? 0xffffffff : offset, true);
  if (!zip64) return Buffer.concat([...out, ...central, end]);
  const record = new DataView(new ArrayBuffer(56 + 20));
  record.setUint32(0, 0x06064b50, true);
  record.setBigUint64(4, 44n, true);
  record.setBigUint64(24, BigInt(files.length), true);
  record.setBigUint64(32, BigInt(files.length), true);
  record.setBigUint64(40, BigInt(cdSize), true);
  record.setBigUint64(48, BigInt(offset), true);
  record.setUint32(56, 0x07064b50, true); // locator
  record.setBigUint64(64, BigInt(offset + cdSize), true); // after the locator's disk number
  record.setUint32(72, 1, true); // total disks
  return Buffer.concat([...out, ...central, new Uint8Array(record.buffer), end]);
}

/** A legacy (`_use_new_zipfile_serialization=False`) checkpoint. */
export function writeTorchLegacy(spec: CheckpointSpec, mainPickle?: Uint8Array): Uint8Array {
  const magic = new PickleBuilder().proto(2).raw(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19).stop();
  const protocol = new PickleBuilder().proto(2).int(1001).stop();
  const sysInfo = new PickleBuilder()
    .proto(2)
    .op('}')
    .mark()
    .str('protocol_version')
    .int(1001)
    .str('little_endian')
    .raw(0x88)
    .str('type_sizes')
    .op('}')
    .mark()
    .str('short')
    .int(2)
    .str('int')
    .int(4)
    .str('long')
    .int(4)
    .op('u')
    .op('u')
    .stop();
  const keys = [...spec.storages.keys()].sort();
  const keyList = new PickleBuilder().proto(2).op(']').mark();
  for (const k of keys) keyList.str(k);
  keyList.op('e').stop();
  const parts: Uint8Array[] = [magic.bytes(), protocol.bytes(), sysInfo.bytes(), mainPickle ?? stateDictPickle(spec, 'legacy'), keyList.bytes()];
  for (const k of keys) {
    const s = spec.storages.get(k)!;
    const n = new Uint8Array(8);
    new DataView(n.buffer).setBigInt64(0, BigInt(s.values.length), true);
    parts.push(n, encodeStorage(s));
  }
  return Buffer.concat(parts);
}
