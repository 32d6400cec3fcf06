/**
 * A restricted Python unpickler (protocols 0–5 minus the object-instantiating
 * text opcodes), written for what `torch.save` produces. It never runs or
 * imports anything: GLOBAL / STACK_GLOBAL names are looked up in an
 * allow-list of {@link PickleGlobal} handlers supplied by the caller, and any
 * other name is an error (or, on request, an inert {@link PickleOpaque}).
 *
 * Python values map to JavaScript as follows:
 *   None → null; bool → boolean; int → number (bigint beyond 2^53);
 *   float → number; str → string; bytes/bytearray → Uint8Array;
 *   list → Array; tuple → frozen Array; dict → {@link PickleDict};
 *   set/frozenset → Set; allow-listed objects → whatever their handler returns.
 */
import { WeightFileError } from './weightFileError.js';
import { checkLimit, inputLimits, type InputLimits } from './inputLimits.js';

/**
 * A Python dict (or OrderedDict, or an allow-listed dict subclass). Keys keep
 * their JavaScript form (strings, numbers, ...). `attributes` holds instance
 * attributes set by BUILD — e.g. the `_metadata` PyTorch attaches to a
 * state_dict — which are not items of the dict.
 */
export class PickleDict extends Map<unknown, unknown> {
  /** Attributes set on the object (Python `__dict__`), not dict items. */
  readonly attributes = new Map<string, unknown>();

  constructor(
    /** Python type, e.g. 'builtins.dict' or 'collections.OrderedDict'. */
    readonly pythonType = 'builtins.dict',
  ) {
    super();
  }
}

/**
 * An object built from a global that is not on the allow-list, produced
 * only when {@link UnpickleOptions.opaqueUnknownGlobals} is set. It records
 * what the pickle asked for and executes nothing.
 */
export class PickleOpaque {
  /** BUILD state, if any. */
  state: unknown = undefined;
  /** Items appended / set on it, if any. */
  readonly items: unknown[] = [];

  constructor(
    /** 'module.name' of the global. */
    readonly qualifiedName: string,
    /** How it was made: the global itself, a call (REDUCE) or a NEWOBJ. */
    readonly kind: 'global' | 'call' | 'newobj',
    readonly args: readonly unknown[] = [],
  ) {}
}

/**
 * What an allow-listed global does. `call` serves REDUCE (f(*args)), `construct`
 * serves NEWOBJ (cls.__new__(cls, *args)); a missing one is an error.
 * BUILD on an object a handler returned calls its `pickleBuild(state)` method
 * if it has one; BUILD on a {@link PickleDict} with a dict state sets attributes.
 */
export interface PickleGlobal {
  readonly call?: (args: readonly unknown[]) => unknown;
  readonly construct?: (args: readonly unknown[]) => unknown;
  /** A plain value GLOBAL pushes instead of the handler (e.g. a dtype marker). */
  readonly value?: unknown;
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Allow-listed globals by 'module.name' (Python 3 names; Python 2 names are mapped first). */
  globals?: ReadonlyMap<string, PickleGlobal>;
  /** Resolves persistent ids (BINPERSID / PERSID), e.g. PyTorch storages. Without it they are an error. */
  persistentLoad?: (pid: unknown) => unknown;
  /** File name for error messages. */
  source?: string;
  /**
   * Turn globals off the allow-list into inert {@link PickleOpaque} objects
   * instead of failing (nothing is ever executed either way). Useful to reach
   * the weights in a checkpoint that also pickles, say, an argparse.Namespace.
   */
  opaqueUnknownGlobals?: boolean;
  /** Limits (nesting depth of containers); default {@link inputLimits}(). */
  limits?: Partial<InputLimits>;
}

/** Globals every state-dict pickle may use; callers add their own. */
export const BASIC_PICKLE_GLOBALS: ReadonlyMap<string, PickleGlobal> = new Map<string, PickleGlobal>([
  ['collections.OrderedDict', {
    call: (args) => dictFromArgs('collections.OrderedDict', args),
    construct: (args) => dictFromArgs('collections.OrderedDict', args),
  }],
  ['builtins.dict', { call: (args) => dictFromArgs('builtins.dict', args), construct: () => new PickleDict() }],
  ['builtins.set', { call: (args) => new Set(args.length ? iterableArg(args[0], 'set') : []) }],
  ['builtins.frozenset', { call: (args) => new Set(args.length ? iterableArg(args[0], 'frozenset') : []) }],
  ['builtins.bytearray', { call: (args) => bytesFromArgs(args) }],
  ['builtins.bytes', { call: (args) => bytesFromArgs(args) }],
  // Protocol 2 pickles bytes as _codecs.encode(latin1_text, 'latin1').
  ['_codecs.encode', { call: (args) => bytesFromArgs(args) }],
]);

function iterableArg(v: unknown, what: string): Iterable<unknown> {
  if (Array.isArray(v) || v instanceof Set) return v;
  throw new Error(`${what}() argument must be a list or tuple`);
}

function dictFromArgs(type: string, args: readonly unknown[]): PickleDict {
  const d = new PickleDict(type);
  if (args.length > 0 && args[0] !== null) {
    const src = args[0];
    if (src instanceof Map) for (const [k, v] of src) d.set(k, v);
    else if (Array.isArray(src)) {
      for (const pair of src) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${type}() expects (key, value) pairs`);
        d.set(pair[0], pair[1]);
      }
    } else throw new Error(`${type}() argument must be a dict or a list of pairs`);
  }
  return d;
}

function bytesFromArgs(args: readonly unknown[]): Uint8Array {
  const [v, encoding] = args;
  if (v === undefined) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v.slice();
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  if (typeof v === 'string') {
    if (encoding === 'latin1' || encoding === 'latin-1' || encoding === undefined) {
      const out = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c > 0xff) throw new Error('latin1 encoding of a character above U+00FF');
        out[i] = c;
      }
      return out;
    }
    if (encoding === 'utf-8' || encoding === 'utf8') return new TextEncoder().encode(v);
    throw new Error(`unsupported encoding ${String(encoding)}`);
  }
  throw new Error('bytes() argument must be bytes, a list of ints or a string');
}

/**
 * An allow-listed global as it sits on the unpickling stack (what GLOBAL
 * pushes unless the handler gives a plain `value`). Handlers that receive a
 * callable as an argument, like `_rebuild_from_type_v2`, call it through
 * {@link callPickleGlobal}.
 */
export class PickleGlobalRef {
  constructor(
    readonly qualifiedName: string,
    readonly handler: PickleGlobal,
  ) {}
}
/** Calls an allow-listed global received as an argument (REDUCE semantics). */
export function callPickleGlobal(fn: unknown, args: readonly unknown[]): unknown {
  if (!(fn instanceof PickleGlobalRef)) throw new Error(`expected a callable global, got ${typeName(fn)}`);
  if (!fn.handler.call) throw new Error(`${fn.qualifiedName} cannot be called`);
  return fn.handler.call(args);
}

/** Python 2 module names
 used by protocol-2 pickles → Python 3 (as pickle's fix_imports does). */
const PY2_MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  _abcoll: 'collections.abc',
};

/** Marks a tuple (frozen array) apart from a list. */
function tuple(items: unknown[]): readonly unknown[] {
  return Object.freeze(items);
}

/** True if `v` came from a Python tuple. */
export function isPickleTuple(v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** A readable name for a value's Python type, for error messages. */
function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PickleDict) return v.pythonType;
  if (v instanceof PickleOpaque) return v.qualifiedName;
  if (isPickleTuple(v)) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Set) return 'set';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/**
 * Unpickle `bytes`. Throws a {@link WeightFileError} naming the source, the
 * opcode and its byte offset for truncated or corrupt data, unsupported
 * opcodes, and globals off the allow-list.
 *
 * @example
 * const obj = unpickle(pkl, { globals: BASIC_PICKLE_GLOBALS, source: 'a.pth' });
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions = {}): unknown {
  const source = options.source ?? 'pickle data';
  const globals = options.globals ?? BASIC_PICKLE_GLOBALS;
  const maxDepth = inputLimits(options.limits).nestingDepth;
  // Nesting depth of the containers built so far (objects absent: depth 0). Whoever walks the
  // result recursively (error messages, state-dict flattening) relies on it staying bounded.
  const depths = new WeakMap<object, number>();
  const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? depths.get(v) ?? 0 : 0);
  const nest = <T>(container: T, items: readonly unknown[], base = 0): T => {
    let d = base;
    for (const it of items) {
      const di = depthOf(it) + 1;
      if (di > d) d = di;
    }
    if (d > maxDepth) {
      checkLimit({ ...inputLimits(options.limits), nestingDepth: maxDepth }, 'nestingDepth', d, source,
        () => `pickle nesting (${d} levels at byte ${opPos})`);
    }
    if (d > 0 && container !== null && typeof container === 'object') depths.set(container as object, d);
    return container;
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const end = bytes.byteLength;

  let pos = 0;
  let opPos = 0;
  let opName = '';
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (problem: string): never => {
    throw new WeightFileError(source, `pickle: ${problem} (opcode ${opName} at byte ${opPos})`);
  };
  const need = (n: number): number => {
    if (n < 0 || pos + n > end) fail(`data is truncated: needs ${n} more bytes at byte ${pos} but only ${end - pos} remain`);
    const at = pos;
    pos += n;
    return at;
  };
  const u8 = (): number => bytes[need(1)]!;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const u64 = (): number => {
    const v = view.getBigUint64(need(8), true);
    if (v > BigInt(end)) fail(`length ${v} exceeds the data size`);
    return Number(v);
  };
  const readLine = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail('data is truncated: a text argument has no terminating newline');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const str = (n: number): string => {
    const at = need(n);
    try {
      return utf8.decode(bytes.subarray(at, at + n));
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow (corrupt pickle)');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow (corrupt pickle)');
    return stack[stack.length - 1];
  };
  const pushMark = (): void => {
    if (metastack.length >= maxDepth) {
      checkLimit({ ...inputLimits(options.limits), nestingDepth: maxDepth }, 'nestingDepth', metastack.length + 1, source,
        () => `pickle MARK nesting (${metastack.length + 1} levels at byte ${opPos})`);
    }
    metastack.push(stack);
    stack = [];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('no MARK to pop to (corrupt pickle)');
    stack = prev!;
    return items;
  };
  const smallInt = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const decodeLong = (n: number): number | bigint => {
    const at = need(n);
    if (n === 0) return 0;
    // Little-endian two's complement: one hex string and one BigInt, linear in n (shifting a
    // growing BigInt byte by byte is quadratic: a 200 KB LONG4 took minutes).
    let hex = '';
    for (let i = n - 1; i >= 0; i--) hex += HEX_BYTE[bytes[at + i]!]!;
    let v = BigInt(`0x${hex}`);
    if (bytes[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return smallInt(v);
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored (corrupt pickle)`);
    return memo.get(i);
  };
  const memoPut = (i: number): void => {
    memo.set(i, top());
  };

  const resolveGlobal = (module: string, name: string): unknown => {
    const mod = PY2_MODULES[module] ?? module;
    const qualified = `${mod}.${name}`;
    const handler = globals.get(qualified);
    if (handler) return handler.value !== undefined ? handler.value : new PickleGlobalRef(qualified, handler);
    if (options.opaqueUnknownGlobals) return new PickleOpaque(qualified, 'global');
    return fail(unknownGlobalMessage(qualified));
  };
  const call = (fn: unknown, args: unknown, kind: 'call' | 'newobj'): unknown => {
    const argv = Array.isArray(args) ? (args as unknown[]) : fail(`${kind === 'call' ? 'REDUCE' : 'NEWOBJ'} arguments must be a tuple, got ${typeName(args)}`);
    if (fn instanceof PickleGlobalRef) {
      const f = kind === 'call' ? fn.handler.call : fn.handler.construct;
      if (!f) return fail(`${fn.qualifiedName} cannot be ${kind === 'call' ? 'called' : 'instantiated with NEWOBJ'} here`);
      try {
        return f(argv);
      } catch (e) {
        if (e instanceof WeightFileError) throw e;
        return fail(`${fn.qualifiedName}(...): ${(e as Error).message}`);
      }
    }
    if (fn instanceof PickleOpaque && fn.kind === 'global') return new PickleOpaque(fn.qualifiedName, kind, argv);
    return fail(`cannot call a ${typeName(fn)}`);
  };
  const persistent = (pid: unknown): unknown => {
    if (!options.persistentLoad) return fail('persistent id found but no persistent_load was provided');
    try {
      return options.persistentLoad(pid);
    } catch (e) {
      if (e instanceof WeightFileError) throw e;
      return fail(`persistent_load: ${(e as Error).message}`);
    }
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2 !== 0) fail('odd number of items for a dict (corrupt pickle)');
    if (target instanceof Map) {
      for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
    } else if (target instanceof PickleOpaque) {
      for (const it of items) target.items.push(it);
    } else fail(`cannot set items on a ${typeName(target)}`);
    nest(target, items, depthOf(target));
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    // One push per item: push(...items) overflows the call stack for a few hundred thousand items.
    if (Array.isArray(target) && !Object.isFrozen(target)) for (const it of items) target.push(it);
    else if (target instanceof PickleOpaque) for (const it of items) target.items.push(it);
    else fail(`cannot append to a ${typeName(target)}`);
    nest(target, items, depthOf(target));
  };
  const build = (target: unknown, state: unknown): void => {
    if (target instanceof PickleOpaque) {
      target.state = state;
      return;
    }
    const buildable = target as { pickleBuild?: (state: unknown) => void } | null;
    if (buildable !== null && typeof buildable === 'object' && typeof buildable.pickleBuild === 'function') {
      try {
        buildable.pickleBuild(state);
      } catch (e) {
        if (e instanceof WeightFileError) throw e;
        fail(`BUILD on ${typeName(target)}: ${(e as Error).message}`);
      }
      return;
    }
    if (target instanceof PickleDict) {
      // No __setstate__: state is an attribute dict, or (attribute dict, slot dict).
      const parts = isPickleTuple(state) && state.length === 2 ? state : [state];
      for (const part of parts) {
        if (part === null) continue;
        if (!(part instanceof Map)) fail(`BUILD state for ${target.pythonType} must be a dict, got ${typeName(part)}`);
        for (const [k, v] of part as Map<unknown, unknown>) target.attributes.set(String(k), v);
      }
      return;
    }
    fail(`BUILD on a ${typeName(target)} is not supported`);
  };

  for (;;) {
    opPos = pos;
    if (pos >= end) {
      opName = 'end of data';
      fail('data is truncated: reached the end without a STOP opcode');
    }
    const op = bytes[pos++]!;
    opName = OPCODE_NAMES.get(op) ?? `0x${op.toString(16).padStart(2, '0')}`;
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > 5) fail(`unsupported pickle protocol ${proto}`);
        break;
      }
      case 0x95: // FRAME: the whole data is in memory, only the length needs skipping
        need(8);
        break;
      case 0x2e: { // STOP
        const result = pop();
        return result;
      }
      case 0x28: // MARK
        pushMark();
        break;
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;

      // Constants and numbers
      case 0x4e: push(null); break; // NONE
      case 0x88: push(true); break; // NEWTRUE
      case 0x89: push(false); break; // NEWFALSE
      case 0x4a: push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: push(u8()); break; // BININT1
      case 0x4d: push(u16()); break; // BININT2
      case 0x8a: push(decodeLong(u8())); break; // LONG1
      case 0x8b: { // LONG4
        const n = view.getInt32(need(4), true);
        if (n < 0) fail('negative LONG4 length');
        push(decodeLong(n));
        break;
      }
      case 0x47: push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x49: { // INT (text): also encodes True/False as 01/00 in protocol 0
        const line = readLine();
        if (line === '01') push(true);
        else if (line === '00') push(false);
        else push(parseTextInt(line, fail));
        break;
      }
      case 0x4c: push(parseTextInt(readLine().replace(/L$/, ''), fail)); break; // LONG (text)
      case 0x46: { // FLOAT (text)
        const line = readLine();
        const v = Number(line);
        if (Number.isNaN(v) && !/nan/i.test(line)) fail(`bad FLOAT literal '${line}'`);
        push(v);
        break;
      }

      // Strings and bytes
      case 0x58: push(str(u32())); break; // BINUNICODE
      case 0x8c: push(str(u8())); break; // SHORT_BINUNICODE
      case 0x8d: push(str(u64())); break; // BINUNICODE8
      case 0x56: push(parseRawUnicodeEscape(readLine())); break; // UNICODE (text)
      case 0x53: push(parseQuotedString(readLine(), fail)); break; // STRING (text, quoted repr)
      case 0x55: { // SHORT_BINSTRING (Python 2 str): decoded as latin-1, as pickle does by default
        const n = u8();
        const at = need(n);
        push(new TextDecoder('latin1').decode(bytes.subarray(at, at + n)));
        break;
      }
      case 0x54: { // BINSTRING
        const n = view.getInt32(need(4), true);
        if (n < 0) fail('negative BINSTRING length');
        const at = need(n);
        push(new TextDecoder('latin1').decode(bytes.subarray(at, at + n)));
        break;
      }
      case 0x43: { const n = u8(); const at = need(n); push(bytes.slice(at, at + n)); break; } // SHORT_BINBYTES
      case 0x42: { const n = u32(); const at = need(n); push(bytes.slice(at, at + n)); break; } // BINBYTES
      case 0x8e: { const n = u64(); const at = need(n); push(bytes.slice(at, at + n)); break; } // BINBYTES8
      case 0x96: { const n = u64(); const at = need(n); push(bytes.slice(at, at + n)); break; } // BYTEARRAY8

      // Containers
      case 0x7d: push(new PickleDict()); break; // EMPTY_DICT
      case 0x64: { // DICT (from marked items)
        const items = popMark();
        const d = new PickleDict();
        setItems(d, items);
        push(d);
        break;
      }
      case 0x5d: push([]); break; // EMPTY_LIST
      case 0x6c: { const items = popMark(); push(nest(items, items)); break; } // LIST
      case 0x29: push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: { const items = popMark(); push(nest(tuple(items), items)); break; } // TUPLE
      case 0x85: { const items = [pop()]; push(nest(tuple(items), items)); break; } // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); push(nest(tuple([a, b]), [a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); push(nest(tuple([a, b, c]), [a, b, c])); break; } // TUPLE3
      case 0x8f: push(new Set()); break; // EMPTY_SET
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) fail(`cannot add items to a ${typeName(s)}`);
        for (const it of items) (s as Set<unknown>).add(it);
        nest(s, items, depthOf(s));
        break;
      }
      case 0x91: { const items = popMark(); push(nest(new Set(items), items)); break; } // FROZENSET
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS

      // Memo
      case 0x71: memoPut(u8()); break; // BINPUT
      case 0x72: memoPut(u32()); break; // LONG_BINPUT
      case 0x94: memoPut(memo.size); break; // MEMOIZE
      case 0x70: memoPut(parseTextIndex(readLine(), fail)); break; // PUT (text)
      case 0x68: push(memoGet(u8())); break; // BINGET
      case 0x6a: push(memoGet(u32())); break; // LONG_BINGET
      case 0x67: push(memoGet(parseTextIndex(readLine(), fail))); break; // GET (text)

      // Globals and object construction (through the allow-list only)
      case 0x63: { // GLOBAL "module\nname\n"
        const module = readLine();
        const name = readLine();
        push(resolveGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); push(nest(call(fn, args, 'call'), [args])); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); push(nest(call(cls, args, 'newobj'), [args])); break; } // NEWOBJ
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (kwargs instanceof Map && kwargs.size > 0) fail('NEWOBJ_EX with keyword arguments is not supported');
        push(nest(call(cls, args, 'newobj'), [args]));
        break;
      }
      case 0x62: { const state = pop(); const target = top(); build(target, state); nest(target, [state], depthOf(target)); break; } // BUILD

      // Persistent ids (PyTorch storages)
      case 0x51: { // BINPERSID
        const pid = pop();
        push(persistent(pid));
        break;
      }
      case 0x50: { // PERSID (text)
        push(persistent(readLine()));
        break;
      }

      case 0x97: // NEXT_BUFFER
      case 0x98: // READONLY_BUFFER
        fail('out-of-band buffers (pickle protocol 5) are not supported');
        break;
      case 0x69: // INST
      case 0x6f: // OBJ
        fail('protocol-0 object instantiation (INST/OBJ) is not supported');
        break;
      case 0x82: case 0x83: case 0x84: // EXT1/2/4
        fail('extension registry codes (EXT1/EXT2/EXT4) are not supported');
        break;
      default:
        fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')} (corrupt data, or not a pickle)`);
    }
  }
}

function unknownGlobalMessage(qualified: string): string {
  let hint: string;
  if (qualified.startsWith('__main__.') || qualified.startsWith('torch.nn.modules.') || qualified.startsWith('__torch__.')) {
    hint = 'this looks like a whole pickled module (torch.save(model)): re-save the weights with torch.save(model.state_dict(), path)';
  } else if (qualified.startsWith('numpy.')) {
    hint = 'numpy objects cannot be loaded: convert them to tensors or plain Python numbers before torch.save';
  } else {
    hint = 'if the file holds a whole model, re-save model.state_dict(); if other Python objects sit next to the weights, ' +
      'the opaqueUnknownGlobals option reads past them without executing anything';
  }
  return `refusing to load Python global '${qualified}', which is not on the allow-list for weight files (nothing is executed); ${hint}`;
}

function parseTextInt(line: string, fail: (p: string) => never): number | bigint {
  if (!/^[-+]?\d+$/.test(line.trim())) fail(`bad integer literal '${line}'`);
  const v = BigInt(line.trim());
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function parseTextIndex(line: string, fail: (p: string) => never): number {
  const v = parseTextInt(line, fail);
  if (typeof v !== 'number' || v < 0) fail(`bad memo index '${line}'`);
  return v as number;
}

/** The value of a Python 2 str repr such as 'it\'s' (protocol 0 STRING), decoded as latin-1. */
function parseQuotedString(line: string, fail: (p: string) => never): string {
  const t = line.trim();
  const q = t[0];
  if (t.length < 2 || (q !== "'" && q !== '"') || t[t.length - 1] !== q) fail(`bad STRING literal ${t}`);
  const body = t.slice(1, -1);
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]+$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return simple[e] ?? m;
  });
}

function parseRawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, a: string | undefined, b: string | undefined) =>
    String.fromCodePoint(parseInt((a ?? b)!, 16)));
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

const OPCODE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries({
    MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, FLOAT: 0x46, INT: 0x49, BININT: 0x4a,
    BININT1: 0x4b, LONG: 0x4c, BININT2: 0x4d, NONE: 0x4e, PERSID: 0x50, BINPERSID: 0x51, REDUCE: 0x52,
    STRING: 0x53, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, UNICODE: 0x56, BINUNICODE: 0x58, APPEND: 0x61,
    BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, EMPTY_DICT: 0x7d, APPENDS: 0x65, GET: 0x67, BINGET: 0x68,
    INST: 0x69, LONG_BINGET: 0x6a, LIST: 0x6c, EMPTY_LIST: 0x5d, OBJ: 0x6f, PUT: 0x70, BINPUT: 0x71,
    LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74, EMPTY_TUPLE: 0x29, SETITEMS: 0x75, BINFLOAT: 0x47,
    PROTO: 0x80, NEWOBJ: 0x81, EXT1: 0x82, EXT2: 0x83, EXT4: 0x84, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
    NEWTRUE: 0x88, NEWFALSE: 0x89, LONG1: 0x8a, LONG4: 0x8b, BINBYTES: 0x42, SHORT_BINBYTES: 0x43,
    SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e, EMPTY_SET: 0x8f, ADDITEMS: 0x90,
    FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96,
    NEXT_BUFFER: 0x97, READONLY_BUFFER: 0x98,
  }).map(([name, code]) => [code, name]),
);
