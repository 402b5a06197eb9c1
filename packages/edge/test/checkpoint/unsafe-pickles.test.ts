import { describe, expect, it } from 'vitest';
import { CheckpointUnsafeError } from '../../src/checkpoint/checkpoint-errors.js';
import { parseCheckpoint } from '../../src/checkpoint/load-checkpoint.js';
import { PickleBuilder, writeTorchLegacy, writeTorchZip, type CheckpointSpec } from './torch-checkpoint-writer.js';

const empty: CheckpointSpec = { storages: new Map(), tensors: [] };

/** `os.system('echo pwned')` the classic way: GLOBAL + REDUCE. */
function osSystemPickle(): Uint8Array {
  return new PickleBuilder().proto(2).global('os', 'system').mark().str('echo pwned').op('t').op('R').stop().bytes();
}

function expectUnsafe(bytes: Uint8Array, offender: string): void {
  let caught: unknown;
  try {
    parseCheckpoint(bytes, 'evil.pth');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CheckpointUnsafeError);
  const err = caught as CheckpointUnsafeError;
  expect(err.code).toBe('HED_CHECKPOINT_UNSAFE');
  expect(err.userError).toBe(true);
  expect(err.offender).toBe(offender);
  expect(err.message).toContain('evil.pth');
  expect(err.message).toContain(`'${offender}'`);
}

describe('restricted unpickler', () => {
  it("refuses GLOBAL 'os system' + REDUCE in a zip checkpoint, naming os.system", () => {
    const bytes = osSystemPickle();
    // byte-by-byte, as the opcodes are defined: PROTO 2, GLOBAL "os\nsystem\n", MARK, BINUNICODE, TUPLE, REDUCE, STOP
    expect(Buffer.from(bytes).toString('latin1')).toBe('\x80\x02cos\nsystem\n(X\x0a\x00\x00\x00echo pwnedtR.');
    expectUnsafe(writeTorchZip(empty, { pickle: bytes }), 'os.system');
  });

  it('refuses it in the legacy format too, and as the very first pickle', () => {
    expectUnsafe(writeTorchLegacy(empty, osSystemPickle()), 'os.system');
    expectUnsafe(osSystemPickle(), 'os.system'); // sniffed as a legacy pickle: the magic-number pickle itself
  });

  it('refuses STACK_GLOBAL builtins.eval (protocol 4)', () => {
    const p = new PickleBuilder()
      .proto(4)
      .raw(0x8c, 8, ...Buffer.from('builtins'))
      .raw(0x8c, 4, ...Buffer.from('eval'))
      .raw(0x93)
      .raw(0x8c, 1, 0x31)
      .raw(0x85)
      .op('R')
      .stop();
    expectUnsafe(writeTorchZip(empty, { pickle: p.bytes() }), 'builtins.eval');
  });

  it('refuses look-alike globals (torch.load, torch._utils.os, collections.os)', () => {
    for (const [m, n] of [
      ['torch', 'load'],
      ['torch._utils', 'os'],
      ['collections', 'os'],
      ['torch.serialization', 'load'],
    ]) {
      expectUnsafe(writeTorchZip(empty, { pickle: new PickleBuilder().proto(2).global(m, n).stop().bytes() }), `${m}.${n}`);
    }
  });

  it('refuses INST, OBJ, NEWOBJ and EXT opcodes', () => {
    const inst = new PickleBuilder()
      .proto(2)
      .mark()
      .op('i')
      .raw(...Buffer.from('subprocess\nPopen\n'))
      .stop();
    expectUnsafe(writeTorchZip(empty, { pickle: inst.bytes() }), 'subprocess.Popen');
    const newobj = new PickleBuilder().proto(2).global('collections', 'OrderedDict').op(')').raw(0x81).stop();
    expectUnsafe(writeTorchZip(empty, { pickle: newobj.bytes() }), 'collections.OrderedDict');
    const obj = new PickleBuilder().proto(2).mark().global('collections', 'OrderedDict').op('o').stop();
    expectUnsafe(writeTorchZip(empty, { pickle: obj.bytes() }), 'collections.OrderedDict');
    const ext = new PickleBuilder().proto(2).raw(0x82, 1).stop();
    expect(() => parseCheckpoint(writeTorchZip(empty, { pickle: ext.bytes() }))).toThrow(CheckpointUnsafeError);
  });

  it('refuses calling a whitelisted class that is not a function (REDUCE of torch.FloatStorage)', () => {
    const p = new PickleBuilder().proto(2).global('torch', 'FloatStorage').op(')').op('R').stop();
    expectUnsafe(writeTorchZip(empty, { pickle: p.bytes() }), 'torch.FloatStorage');
  });

  it('never runs the unsafe global: rejection happens at GLOBAL, before REDUCE', () => {
    // GLOBAL without any REDUCE is refused as well: merely naming the callable is enough
    expectUnsafe(writeTorchZip(empty, { pickle: new PickleBuilder().proto(2).global('os', 'system').stop().bytes() }), 'os.system');
  });
});
