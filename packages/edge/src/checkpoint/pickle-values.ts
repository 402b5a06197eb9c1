/** Python values the restricted unpickler builds. Lists are JS arrays; str is string; int is number or bigint. */

/** A Python tuple (immutable). */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** Hashable key of a `PyDict`. */
export type PyKey = string | number | bigint | boolean | null;

/** A Python dict or `collections.OrderedDict`; insertion order is kept. */
export class PyDict {
  readonly entries = new Map<PyKey, unknown>();
  /** State given by BUILD (e.g. a state dict's `_metadata`); kept, never interpreted. */
  state: unknown = undefined;
}

/** A whitelisted Python callable that REDUCE may call. */
export class PyCallable {
  constructor(
    readonly qualifiedName: string,
    readonly call: (args: readonly unknown[]) => unknown,
  ) {}
}

/** A whitelisted Python class used only as a marker (a `torch.*Storage` type, `torch.Tensor`); never called. */
export class PyClassMarker {
  constructor(readonly qualifiedName: string) {}
}

/** Short description of a value for error messages (never the value itself when large). */
export function describePy(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof PyCallable || value instanceof PyClassMarker) return value.qualifiedName;
  if (value instanceof PyTuple) return `a tuple of ${value.items.length}`;
  if (value instanceof PyDict) return 'a dict';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return `the string '${value.length > 40 ? value.slice(0, 40) + '…' : value}'`;
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return String(value);
}
