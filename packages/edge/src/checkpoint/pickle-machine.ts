import { ByteCursor } from './byte-cursor.js';
import { TORCH_PICKLE_LIMITS, type PickleLimits } from './checkpoint-limits.js';
import { corrupt, unsafe } from './format-problem.js';
import { PyCallable, PyDict, PyTuple, describePy, type PyKey } from './pickle-values.js';

/** How the unpickler turns globals and persistent ids into values; anything it cannot resolve must throw. */
export interface PickleHooks {
  /** Value for `GLOBAL module name` / `STACK_GLOBAL`; throws (unsafe) for anything not whitelisted. */
  resolveGlobal(module: string, name: string): unknown;
  /** Value for a persistent id (BINPERSID); absent = persistent ids are not allowed. */
  persistentLoad?(pid: unknown): unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Runs one pickle (protocols 0–5 data opcodes, as `torch.save` emits) starting at `start`, without executing
 * anything: globals go through `hooks.resolveGlobal`, only `PyCallable`s may be called (REDUCE), and the
 * object-construction opcodes (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT*) are refused.
 * @returns the unpickled value and the offset just after its STOP opcode.
 */
export function unpickle(bytes: Uint8Array, start: number, hooks: PickleHooks, limits: PickleLimits = TORCH_PICKLE_LIMITS): { value: unknown; end: number } {
  const c = new ByteCursor(bytes, start, bytes.length, 'pickle');
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  // Whole-run budgets: every value that enters the stack or a container counts, whatever later pops it.
  let ops = 0;
  let objects = 0;
  const counted = (n: number): void => {
    objects += n;
    if (objects > limits.maxObjects) corrupt(`pickle builds more than ${limits.maxObjects} values; no state dict needs that many`);
  };
  const sized = (n: number, what: string): number => {
    if (n > limits.maxStringBytes) corrupt(`pickle ${what} of ${n} bytes at offset ${c.pos} is longer than any state dict holds`);
    return n;
  };

  const pop = (): unknown => {
    if (stack.length === 0) corrupt(`pickle stack underflow at offset ${c.pos - 1}`);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) corrupt(`pickle stack underflow at offset ${c.pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = marks.pop();
    if (!outer) corrupt(`pickle MARK missing at offset ${c.pos - 1}`);
    stack = outer;
    return items;
  };
  const line = (): string => {
    const from = c.pos;
    const nl = bytes.subarray(from, Math.min(bytes.length, from + limits.maxStringBytes + 1)).indexOf(0x0a);
    if (nl < 0) corrupt(`pickle text argument at offset ${from} has no end of line within ${limits.maxStringBytes} bytes`);
    return lineTo(from, from + nl);
  };
  const lineTo = (from: number, nl: number): string => {
    c.take(nl - from + 1);
    return latin1.decode(bytes.subarray(from, nl));
  };
  const text = (n: number): string => {
    const raw = c.slice(n);
    try {
      return utf8.decode(raw);
    } catch {
      return corrupt(`invalid UTF-8 string at offset ${c.pos - n}`);
    }
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) corrupt(`pickle refers to memo entry ${i} that was never stored`);
    return memo.get(i);
  };
  const memoPut = (i: number): void => {
    if (!memo.has(i) && memo.size >= limits.maxMemo) corrupt(`pickle memo grows past ${limits.maxMemo} entries`);
    memo.set(i, top());
  };
  const key = (k: unknown): PyKey => {
    const t = typeof k;
    if (k === null || t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') return k as PyKey;
    return corrupt(`dict key of unsupported type (${describePy(k)})`);
  };
  const dictOf = (v: unknown, op: string): PyDict => {
    if (!(v instanceof PyDict)) corrupt(`${op} on ${describePy(v)}, not a dict`);
    return v;
  };
  const listOf = (v: unknown, op: string): unknown[] => {
    if (!Array.isArray(v)) corrupt(`${op} on ${describePy(v)}, not a list`);
    return v;
  };
  const setItems = (d: PyDict, items: unknown[]): void => {
    if (items.length % 2 !== 0) corrupt('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) d.entries.set(key(items[i]), items[i + 1]);
  };
  const long = (n: number): number | bigint => {
    // longFromBytes is quadratic in the length: a huge LONG4 would be a time bomb.
    if (n > limits.maxLongBytes) corrupt(`pickle integer of ${n} bytes at offset ${c.pos} is larger than any state dict holds`);
    return longFromBytes(c.slice(n));
  };
  const global = (module: string, name: string): unknown => hooks.resolveGlobal(module, name);

  for (;;) {
    const at = c.pos;
    const op = c.u8();
    if (++ops > limits.maxOps) corrupt(`pickle runs more than ${limits.maxOps} opcodes; no state dict needs that many`);
    // Every opcode adds at most one value to the stack or a container; APPENDS/SETITEMS/LIST/TUPLE/DICT move
    // values already counted. DUP/GET push an existing value again, which still costs a stack slot.
    counted(1);
    switch (op) {
      case 0x80: {
        // PROTO
        const v = c.u8();
        if (v > 5) corrupt(`pickle protocol ${v} is newer than any known`);
        break;
      }
      case 0x95: // FRAME: framing is transparent
        c.u64();
        break;
      case 0x2e: // STOP
        if (stack.length === 0) corrupt('pickle STOP with an empty stack');
        return { value: stack[stack.length - 1], end: c.pos };
      case 0x28: // MARK
        if (marks.length >= limits.maxMarkDepth) corrupt(`pickle nests more than ${limits.maxMarkDepth} MARKs at offset ${at}`);
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;

      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4b:
        stack.push(c.u8());
        break; // BININT1
      case 0x4d:
        stack.push(c.u16());
        break; // BININT2
      case 0x4a:
        stack.push(c.i32());
        break; // BININT
      case 0x8a:
        stack.push(long(c.u8()));
        break; // LONG1
      case 0x8b: {
        // LONG4
        const n = c.i32();
        if (n < 0) corrupt(`negative LONG4 length at offset ${at}`);
        stack.push(long(n));
        break;
      }
      case 0x49: {
        // INT (text)
        const s = line();
        if (s === '01') stack.push(true);
        else if (s === '00') stack.push(false);
        else stack.push(parseTextInt(s, at));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(parseTextInt(line().replace(/L$/, ''), at));
        break;
      case 0x47:
        stack.push(c.f64be());
        break; // BINFLOAT
      case 0x46: // FLOAT (text, Python repr)
        stack.push(parseTextFloat(line(), at));
        break;

      case 0x58:
        stack.push(text(sized(c.u32(), 'string')));
        break; // BINUNICODE
      case 0x8c:
        stack.push(text(c.u8()));
        break; // SHORT_BINUNICODE
      case 0x8d:
        stack.push(text(sized(c.u64(), 'string')));
        break; // BINUNICODE8
      case 0x54: {
        // BINSTRING (Python 2 str, read as latin-1 like torch's encoding='latin1')
        const n = c.i32();
        if (n < 0) corrupt(`negative BINSTRING length at offset ${at}`);
        stack.push(latin1.decode(c.slice(sized(n, 'string'))));
        break;
      }
      case 0x55:
        stack.push(latin1.decode(c.slice(c.u8())));
        break; // SHORT_BINSTRING
      case 0x42:
        stack.push(new Uint8Array(c.slice(sized(c.u32(), 'bytes object'))));
        break; // BINBYTES
      case 0x43:
        stack.push(new Uint8Array(c.slice(c.u8())));
        break; // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(c.slice(sized(c.u64(), 'bytes object'))));
        break;

      case 0x7d:
        stack.push(new PyDict());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push(new PyTuple([]));
        break; // EMPTY_TUPLE
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const z = pop();
        const y = pop();
        stack.push(new PyTuple([pop(), y, z]));
        break;
      }
      case 0x74: {
        // TUPLE (popMark replaces `stack`: take the items first)
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      }
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        listOf(top(), 'APPEND').push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = listOf(top(), 'APPENDS');
        for (const v of items) list.push(v);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dictOf(top(), 'SETITEM').entries.set(key(k), v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(dictOf(top(), 'SETITEMS'), items);
        break;
      }

      case 0x71:
        memoPut(c.u8());
        break; // BINPUT
      case 0x72:
        memoPut(c.u32());
        break; // LONG_BINPUT
      case 0x94:
        memoPut(memo.size);
        break; // MEMOIZE
      case 0x70:
        memoPut(Number(parseTextInt(line(), at)));
        break; // PUT
      case 0x68:
        stack.push(memoGet(c.u8()));
        break; // BINGET
      case 0x6a:
        stack.push(memoGet(c.u32()));
        break; // LONG_BINGET
      case 0x67:
        stack.push(memoGet(Number(parseTextInt(line(), at))));
        break; // GET

      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') corrupt(`STACK_GLOBAL with non-string names at offset ${at}`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PyCallable)) unsafe(describePy(fn), 'calls something that is not a whitelisted function');
        if (!(args instanceof PyTuple)) corrupt(`REDUCE of ${fn.qualifiedName} without an argument tuple`);
        stack.push(fn.call(args.items));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        dictOf(top(), 'BUILD').state = state;
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!hooks.persistentLoad) corrupt(`unexpected persistent id at offset ${at}`);
        stack.push(hooks.persistentLoad(pid));
        break;
      }

      case 0x69: {
        // INST module\nname\n: instantiates an arbitrary class
        const module = line();
        unsafe(`${module}.${line()}`, 'instantiates a Python class');
        break;
      }
      case 0x6f: // OBJ
        unsafe(describePy(popMark()[0]), 'instantiates a Python class');
        break;
      case 0x81: // NEWOBJ
      case 0x92: {
        // NEWOBJ_EX
        if (op === 0x92) pop();
        pop();
        unsafe(describePy(pop()), 'instantiates a Python class');
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84: // EXT1/2/4: globals from the copyreg extension registry
        unsafe(`extension code at offset ${at}`, 'loads a global from the copyreg extension registry');
        break;
      case 0x50: // PERSID (text): torch never writes it
        corrupt(`text persistent id at offset ${at} (not written by torch.save)`);
        break;
      default:
        corrupt(`unknown or unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at offset ${at}`);
    }
  }
}

/** Little-endian two's-complement integer (LONG1/LONG4) as a number when safe, else bigint. */
function longFromBytes(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseTextFloat(s: string, at: number): number {
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, nan: NaN, '-nan': NaN };
  const key = s.trim().toLowerCase();
  if (Object.hasOwn(special, key)) return special[key];
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(key)) corrupt(`bad FLOAT '${s.slice(0, 20)}' at offset ${at}`);
  return Number(key);
}

function parseTextInt(s: string, at: number): number | bigint {
  // BigInt parsing is quadratic in the digits; a state dict's integers have a handful.
  if (s.length > 64) corrupt(`integer of ${s.length} digits at offset ${at} is larger than any state dict holds`);
  if (!/^[+-]?\d+$/.test(s)) corrupt(`bad integer '${s.slice(0, 20)}' at offset ${at}`);
  const v = BigInt(s);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
