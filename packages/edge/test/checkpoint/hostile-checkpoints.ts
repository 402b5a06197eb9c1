/**
 * Test-only generator of crafted ("hostile") checkpoints: small files that declare enormous work or memory.
 * Each class of attack on the checkpoint reader has at least one case; every case must end in an
 * `HED_CHECKPOINT_*` error, quickly and in bounded memory. Written byte by byte with the test writer.
 */
import { crc32, constants as zlibConstants, deflateRawSync } from 'node:zlib';
import { HED_BLOCK_CONV_COUNTS } from '../../src/checkpoint/hed-architecture.js';
import { stateDictPickle, writeTorchLegacy, writeTorchZip, writeZip, type CheckpointSpec, type TensorSpec } from './torch-checkpoint-writer.js';

/** One crafted checkpoint: a file name, what it attacks, and a function that makes its bytes. */
export interface HostileCheckpoint {
  name: string;
  what: string;
  make(): Uint8Array;
}

/** Names and shapes of a ControlNetHED network whose convolutions all have `c` output channels. */
export function hedShapes(c: number): { name: string; shape: number[] }[] {
  const out = [{ name: 'norm', shape: [1, 3, 1, 1] }];
  let channels = 3;
  HED_BLOCK_CONV_COUNTS.forEach((n, b) => {
    for (let i = 0; i < n; i++) {
      out.push({ name: `block${b + 1}.convs.${i}.weight`, shape: [c, channels, 3, 3] }, { name: `block${b + 1}.convs.${i}.bias`, shape: [c] });
      channels = c;
    }
    out.push({ name: `block${b + 1}.projection.weight`, shape: [1, channels, 1, 1] }, { name: `block${b + 1}.projection.bias`, shape: [1] });
  });
  return out;
}

/** Every tensor of a HED-shaped state dict (c channels) is a zero-stride view of ONE one-element storage. */
function zeroStrideSpec(c: number): CheckpointSpec {
  return {
    storages: new Map([['0', { dtype: 'float32', values: [0.5] }]]),
    tensors: hedShapes(c).map(({ name, shape }): TensorSpec => ({ name, storage: '0', offset: 0, shape, stride: shape.map(() => 0) })),
  };
}

/** `n` tensors with made-up names, all dense views of one shared storage of `numel` elements. */
function aliasingSpec(n: number, numel: number): CheckpointSpec {
  const side = Math.floor(Math.sqrt(numel));
  const tensors: TensorSpec[] = [];
  for (let i = 0; i < n; i++) tensors.push({ name: `layer${i}.weight`, storage: '0', offset: 0, shape: [side, side], stride: [side, 1] });
  return { storages: new Map([['0', { dtype: 'float32', values: new Float32Array(numel) }]]), tensors };
}

/** A zip whose entries carry sizes of our choosing (zip64 records throughout), e.g. a declared 4 GiB. */
function writeZipDeclaring(files: { name: string; body: Uint8Array; method: 0 | 8; crc: number; size: number }[]): Uint8Array {
  const out: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const nameBytes = new TextEncoder().encode(f.name);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint16(8, f.method, true);
    lv.setUint32(14, f.crc, true);
    lv.setUint32(18, 0xffffffff, true);
    lv.setUint32(22, 0xffffffff, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const cd = new Uint8Array(46 + nameBytes.length + 28);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, 45, true);
    cv.setUint16(10, f.method, true);
    cv.setUint32(16, f.crc, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, 28, true);
    cv.setUint32(42, 0xffffffff, true);
    cd.set(nameBytes, 46);
    const x = 46 + nameBytes.length;
    cv.setUint16(x, 0x0001, true);
    cv.setUint16(x + 2, 24, true);
    cv.setBigUint64(x + 4, BigInt(f.size), true);
    cv.setBigUint64(x + 12, BigInt(f.body.length), true);
    cv.setBigUint64(x + 20, BigInt(offset), true);
    out.push(local, f.body);
    central.push(cd);
    offset += local.length + f.body.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const tail = new DataView(new ArrayBuffer(56 + 20 + 22));
  tail.setUint32(0, 0x06064b50, true);
  tail.setBigUint64(4, 44n, true);
  tail.setBigUint64(24, BigInt(files.length), true);
  tail.setBigUint64(32, BigInt(files.length), true);
  tail.setBigUint64(40, BigInt(cdSize), true);
  tail.setBigUint64(48, BigInt(offset), true);
  tail.setUint32(56, 0x07064b50, true);
  tail.setBigUint64(64, BigInt(offset + cdSize), true);
  tail.setUint32(72, 1, true);
  tail.setUint32(76, 0x06054b50, true);
  tail.setUint16(84, 0xffff, true);
  tail.setUint16(86, 0xffff, true);
  tail.setUint32(88, 0xffffffff, true);
  tail.setUint32(92, 0xffffffff, true);
  return Buffer.concat([...out, ...central, new Uint8Array(tail.buffer)]);
}

/** A raw deflate stream that inflates to `chunks` × 64 MiB of zeros (a few KB per 64 MiB). */
function zeroBomb(chunks: number): Uint8Array {
  const piece = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { level: 9, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  return Buffer.concat([...Array.from({ length: chunks }, () => piece), deflateRawSync(Buffer.alloc(0))]);
}

/** A `torch.save` zip whose data.pkl is `pickle` (deflated) and that holds no storages. */
function zipWithPickle(pickle: Uint8Array): Uint8Array {
  return writeZip(
    [
      ['archive/data.pkl', pickle],
      ['archive/byteorder', new TextEncoder().encode('little')],
    ],
    true,
  );
}

/** Repeats `unit` `n` times into one buffer. */
function repeat(unit: number[], n: number): Buffer {
  const b = Buffer.alloc(unit.length * n);
  for (let i = 0; i < n; i++) b.set(unit, i * unit.length);
  return b;
}

/** The crafted checkpoints, one or more per class of attack. */
export function hostileCheckpoints(): HostileCheckpoint[] {
  const cases: HostileCheckpoint[] = [];
  const add = (name: string, what: string, make: () => Uint8Array): void => void cases.push({ name, what, make });

  add('zero-strides.pth', 'HED-shaped tensors (4096 channels) that are zero-stride views of one 1-element storage', () => writeTorchZip(zeroStrideSpec(4096)));
  add('zero-strides-legacy.pth', 'the same in the legacy torch.save format', () => writeTorchLegacy(zeroStrideSpec(4096)));
  add('aliasing-10000.pth', '10,000 tensors aliasing one storage of 1 M elements', () => writeTorchZip(aliasingSpec(10_000, 1 << 20), { deflate: true }));
  add('aliasing-10000-legacy.pth', 'the same in the legacy format', () => writeTorchLegacy(aliasingSpec(10_000, 1 << 20)));

  // A storage record whose directory declares 4 GiB and that really inflates to 4 GiB of zeros.
  {
    const spec: CheckpointSpec = {
      storages: new Map([['0', { dtype: 'float32', values: [0] }]]),
      tensors: hedShapes(64).map(({ name, shape }): TensorSpec => ({ name, storage: '0', offset: 0, shape, stride: shape.map(() => 0) })),
    };
    // Patch the pickle's storage numel (1) to 2^30 elements = 4 GiB of float32: written by hand below.
    add('zip-entry-4gib.pth', 'a storage record declaring 4 GiB that inflates to 4 GiB', () => {
      const pickle = stateDictPickle({ ...spec, storages: new Map([['0', { dtype: 'float32', values: { length: 2 ** 30 } }]]) }, 'zip');
      return writeZipDeclaring([
        { name: 'archive/data.pkl', body: pickle, method: 0, crc: crc32(pickle), size: pickle.length },
        { name: 'archive/data/0', body: zeroBomb(64), method: 8, crc: 0, size: 2 ** 32 },
      ]);
    });
    add('zip-entry-declares-4gib.pth', 'a 4-byte storage whose record declares 4 GiB and inflates to 1.5 GiB', () => {
      const small = stateDictPickle(spec, 'zip');
      return writeZipDeclaring([
        { name: 'archive/data.pkl', body: small, method: 0, crc: crc32(small), size: small.length },
        { name: 'archive/data/0', body: zeroBomb(24), method: 8, crc: 0, size: 2 ** 32 },
      ]);
    });
  }

  // Deep nesting: 24 M MARKs (each one an open list in a naive unpickler).
  add('deep-marks.pth', '24 million nested MARKs', () => zipWithPickle(Buffer.concat([Buffer.from([0x80, 2]), Buffer.alloc(24_000_000, 0x28), Buffer.from('.')])));
  // Memo bomb: 5 M fresh dicts, each stored under a huge LONG_BINPUT index.
  add('memo-bomb.pth', '5 million dicts memoised under huge LONG_BINPUT indices', () => {
    const n = 5_000_000;
    const body = Buffer.alloc(n * 6);
    for (let i = 0; i < n; i++) {
      body[i * 6] = 0x7d; // EMPTY_DICT
      body[i * 6 + 1] = 0x72; // LONG_BINPUT
      body.writeUInt32LE(0xf0000000 + i, i * 6 + 2);
    }
    return zipWithPickle(Buffer.concat([Buffer.from([0x80, 2]), body, Buffer.from('.')]));
  });
  // DUP bomb: one dict duplicated 120 M times on the stack (a 120 MB pickle deflated to a few hundred KB).
  add('dup-bomb.pth', '120 million DUPs', () => zipWithPickle(Buffer.concat([Buffer.from([0x80, 2, 0x7d]), Buffer.alloc(120_000_000, 0x32), Buffer.from('.')])));
  // A 2 MB LONG4 integer (quadratic to convert) and a 16 MB tensor name.
  {
    add('long-integer.pth', 'a 2 MB LONG4 integer', () => {
      const n = 2_000_000;
      const head = Buffer.alloc(7);
      head.set([0x80, 2, 0x8b]);
      head.writeInt32LE(n, 3);
      return zipWithPickle(Buffer.concat([head, Buffer.alloc(n, 0x7f), Buffer.from('.')]));
    });
    add('long-name.pth', 'an extra tensor named by a 16 MB string', () => {
      const spec = zeroStrideSpec(1);
      const placeholder = 'LONG_NAME_PLACEHOLDER';
      spec.tensors.push({ ...spec.tensors[1], name: placeholder });
      const pickle = Buffer.from(stateDictPickle(spec, 'zip'));
      const at = pickle.indexOf(Buffer.from(placeholder)) - 5; // BINUNICODE opcode + u32 length
      const name = Buffer.alloc(16 * 1024 * 1024, 0x78);
      const op = Buffer.alloc(5);
      op[0] = 0x58;
      op.writeUInt32LE(name.length, 1);
      return writeTorchZip(spec, { deflate: true, pickle: Buffer.concat([pickle.subarray(0, at), op, name, pickle.subarray(at + 5 + placeholder.length)]) });
    });
  }
  // Text opcodes: an INT of 5 M digits.
  add('text-int.pth', 'an INT opcode with 5 million digits', () => zipWithPickle(Buffer.concat([Buffer.from([0x80, 2, 0x49]), Buffer.alloc(5_000_000, 0x37), Buffer.from('\n.')])));

  // safetensors: a 96 MB JSON header of empty objects; 10,000 tensors sharing one data range.
  const safetensors = (header: Buffer, data: Buffer): Buffer => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    return Buffer.concat([len, header, data]);
  };
  add('safetensors-huge-header.safetensors', 'a 96 MB safetensors JSON header of 32 M empty objects', () =>
    safetensors(
      Buffer.concat([
        Buffer.from('{"__metadata__":{"x":"y"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"pad":['),
        repeat([0x7b, 0x7d, 0x2c], 32_000_000 - 1),
        Buffer.from('{}]}}'),
      ]),
      Buffer.alloc(4),
    ),
  );
  add('safetensors-aliasing.safetensors', '10,000 safetensors entries sharing one 4 MB data range', () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) header[`layer${i}.weight`] = { dtype: 'F32', shape: [1024, 1024], data_offsets: [0, 4 << 20] };
    return safetensors(Buffer.from(JSON.stringify(header)), Buffer.alloc(4 << 20));
  });
  add('safetensors-huge-offsets.safetensors', 'safetensors offsets far past the end of the file', () => {
    const header: Record<string, unknown> = {};
    for (const { name, shape } of hedShapes(1)) header[name] = { dtype: 'F32', shape, data_offsets: [0, 2 ** 52] };
    return safetensors(Buffer.from(JSON.stringify(header)), Buffer.alloc(16));
  });
  return cases;
}
