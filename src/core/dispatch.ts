// The generic door to every ATen operator: resolve a schema once, then call it with Tensors,
// numbers, arrays and null; Tensor results come back as Tensors owned by the current scope.
import { native, type Handle, type OpHandle } from './native.js';
import { Tensor } from './tensor.js';

/** A callable ATen operator. */
export type OpFn = (...args: unknown[]) => any;

const cache = new Map<string, OpFn>();

/**
 * Returns a function calling the ATen operator `name` with `overload` ('' for the default).
 * Arguments follow the operator's schema order; trailing arguments with defaults may be
 * omitted and `undefined` means "use the default".
 * @example const addmm = op('aten::addmm'); const y = addmm(bias, x, w.t());
 */
export function op(name: string, overload = ''): OpFn {
  const key = name + '.' + overload;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let handle: OpHandle | undefined;
  const qualified = overload === '' ? name : name + '.' + overload;
  const fn: OpFn = (...args: unknown[]) => {
    if (handle === undefined) handle = native.resolveOp(name, overload)[0];
    const nativeArgs = new Array<unknown>(args.length);
    for (let i = 0; i < args.length; i++) nativeArgs[i] = toNative(args[i], qualified, i);
    const out = native.callOp(handle, nativeArgs);
    return fromNative(out, args, nativeArgs);
  };
  cache.set(key, fn);
  return fn;
}

/** The schema text of an operator (for error messages and documentation). */
export function schemaOf(name: string, overload = ''): string {
  return native.resolveOp(name, overload)[1];
}

function toNative(a: unknown, opName: string, index: number): unknown {
  if (a instanceof Tensor) return handleOf(a, opName, index);
  if (Array.isArray(a) && a.length > 0 && (a[0] instanceof Tensor || a.some((e) => e instanceof Tensor))) {
    return a.map((e) => (e instanceof Tensor ? handleOf(e, opName, index) : e));
  }
  return a;
}

// Checked here rather than by the Tensor getter so that the message names the operator.
function handleOf(t: Tensor, opName: string, index: number): Handle {
  if (t.isDisposed) throw new TypeError(`${opName}: argument ${index} is a tensor that was used after dispose() (keep() it, or create it outside the tidy() that disposed it)`);
  return t.handle;
}

function fromNative(out: unknown, args: unknown[], nativeArgs: unknown[]): any {
  if (out === null || out === undefined || typeof out !== 'object') return out;
  if (Array.isArray(out)) return out.map((o) => fromNative(o, args, nativeArgs));
  // In-place operators hand back the very handle they were given: return the caller's Tensor.
  // Its cached shape may be stale (unsqueeze_, resize_, t_...).
  for (let i = 0; i < nativeArgs.length; i++) {
    if (nativeArgs[i] === out) {
      (args[i] as Tensor).refreshInfo();
      return args[i];
    }
  }
  return Tensor.fromHandle(out as Handle);
}
