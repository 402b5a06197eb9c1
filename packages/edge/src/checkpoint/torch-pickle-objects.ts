import { corrupt, unsafe } from './format-problem.js';
import { PyCallable, PyClassMarker, PyDict, PyTuple, describePy } from './pickle-values.js';
import type { PickleHooks } from './pickle-machine.js';
import type { StorageDtype } from './storage-dtype.js';

/** A `torch.*Storage` class: names the element type of a storage. */
class StorageType extends PyClassMarker {
  constructor(
    qualifiedName: string,
    readonly dtype: StorageDtype,
  ) {
    super(qualifiedName);
  }
}

/** A storage named by a persistent id: `numel` elements of `dtype` starting `elementOffset` elements into record `key`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StorageDtype,
    readonly numel: number,
    readonly elementOffset = 0,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

const STORAGE_DTYPES: Record<string, StorageDtype> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

function count(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) corrupt(`${what} is ${describePy(v)}, not a count`);
  return v;
}

function counts(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple)) corrupt(`${what} is ${describePy(v)}, not a tuple`);
  return v.items.map((x, i) => count(x, `${what}[${i}]`));
}

function tensorArg(v: unknown, fn: string): TensorRef {
  if (!(v instanceof TensorRef)) corrupt(`${fn} got ${describePy(v)} instead of a tensor`);
  return v;
}

function rebuildTensor(args: readonly unknown[], fn: string): TensorRef {
  if (args.length < 4) corrupt(`${fn} called with ${args.length} arguments`);
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof StorageRef)) corrupt(`${fn} got ${describePy(storage)} instead of a storage`);
  const shape = counts(size, `${fn} size`);
  const strides = counts(stride, `${fn} stride`);
  if (shape.length !== strides.length) corrupt(`${fn}: size has ${shape.length} dimensions, stride ${strides.length}`);
  return new TensorRef(storage, count(offset, `${fn} storage offset`), shape, strides);
}

const CALLABLES: Record<string, (args: readonly unknown[]) => unknown> = {
  'collections.OrderedDict': (args) => {
    if (args.length !== 0) corrupt('OrderedDict built with initial items');
    return new PyDict();
  },
  'torch._utils._rebuild_tensor_v2': (args) => rebuildTensor(args, '_rebuild_tensor_v2'),
  'torch._utils._rebuild_tensor': (args) => rebuildTensor(args, '_rebuild_tensor'),
  'torch._utils._rebuild_parameter': (args) => tensorArg(args[0], '_rebuild_parameter'),
  'torch._utils._rebuild_parameter_with_state': (args) => tensorArg(args[0], '_rebuild_parameter_with_state'),
  'torch._tensor._rebuild_from_type_v2': (args) => {
    const [fn, type, fnArgs] = args;
    if (!(type instanceof PyClassMarker) || !['torch.Tensor', 'torch.nn.parameter.Parameter'].includes(type.qualifiedName)) {
      unsafe(describePy(type), 'rebuilds a tensor as a class other than torch.Tensor or Parameter');
    }
    if (!(fn instanceof PyCallable) || !(fnArgs instanceof PyTuple)) corrupt('_rebuild_from_type_v2 with bad arguments');
    return tensorArg(fn.call(fnArgs.items), '_rebuild_from_type_v2');
  },
};

const MARKERS = new Set(['torch.Tensor', 'torch.nn.parameter.Parameter']);

/** The only Python globals a state-dict pickle may name; everything else is refused as unsafe. */
export function resolveTorchGlobal(module: string, name: string): unknown {
  const qualified = `${module}.${name}`;
  const fn = CALLABLES[qualified];
  if (fn) return new PyCallable(qualified, fn);
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(qualified, STORAGE_DTYPES[name]);
  if (MARKERS.has(qualified)) return new PyClassMarker(qualified);
  return unsafe(qualified, 'names a Python global that is not on the state-dict whitelist');
}

/**
 * Persistent-id loader for `torch.save` pickles: `('storage', torch.XStorage, key, location, numel)` in the zip
 * format, plus a sixth item `view_metadata` (`None` or `(view_key, offset, size)`) in the legacy format.
 */
export function torchPickleHooks(format: 'zip' | 'legacy'): PickleHooks {
  return {
    resolveGlobal: resolveTorchGlobal,
    persistentLoad(pid) {
      if (!(pid instanceof PyTuple) || pid.items[0] !== 'storage') corrupt(`persistent id ${describePy(pid)} is not a storage`);
      const want = format === 'zip' ? 5 : 6;
      if (pid.items.length !== want) corrupt(`storage persistent id has ${pid.items.length} items, expected ${want}`);
      const [, type, key, , numel, view] = pid.items;
      if (!(type instanceof StorageType)) corrupt(`storage type ${describePy(type)} is not a torch storage class`);
      if (typeof key !== 'string' && typeof key !== 'number') corrupt(`storage key ${describePy(key)} is not a name`);
      const n = count(numel, 'storage size');
      if (view === undefined || view === null) return new StorageRef(String(key), type.dtype, n);
      if (!(view instanceof PyTuple) || view.items.length !== 3) corrupt('storage view metadata is not (key, offset, size)');
      const offset = count(view.items[1], 'storage view offset');
      const size = count(view.items[2], 'storage view size');
      if (offset + size > n) corrupt(`storage view [${offset}, ${offset + size}) exceeds its storage of ${n} elements`);
      return new StorageRef(String(key), type.dtype, size, offset);
    },
  };
}
