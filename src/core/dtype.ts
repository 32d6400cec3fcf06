import { bfloat16BytesToFloat32, float16BytesToFloat32 } from './halfFloat.js';

/** Element types a Tensor can hold. */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'bool' | 'float16' | 'bfloat16' | 'int16' | 'int8';

/** Typed arrays `Tensor.toArray()` returns (int64 deliberately stays BigInt64Array). */
export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int16Array
  | Int8Array
  | Uint16Array;

// Codes shared with native/addon.cc (enum DTypeCode).
const NATIVE_CODES: Record<DType, number> = {
  float32: 0, float64: 1, int32: 2, int64: 3, uint8: 4, bool: 5, float16: 6, bfloat16: 7, int16: 8, int8: 9,
};
const FROM_NATIVE: DType[] = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'float16', 'bfloat16', 'int16', 'int8'];

// c10::ScalarType values, used where an operator schema takes `ScalarType dtype`.
const SCALAR_TYPES: Record<DType, number> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};

export const DTYPES: readonly DType[] = FROM_NATIVE;

export function nativeCode(d: DType): number {
  const c = NATIVE_CODES[d];
  if (c === undefined) throw new TypeError(`unknown dtype '${String(d)}'; expected one of ${FROM_NATIVE.join(', ')}`);
  return c;
}

export function fromNativeCode(c: number): DType {
  const d = FROM_NATIVE[c];
  if (d === undefined) throw new TypeError(`unknown native dtype code ${c}`);
  return d;
}

/** The c10::ScalarType number of a dtype (for schema arguments of type ScalarType). */
export function scalarTypeCode(d: DType): number {
  nativeCode(d);
  return SCALAR_TYPES[d];
}

export function isFloating(d: DType): boolean {
  return d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
}

export function bytesPerElement(d: DType): number {
  switch (d) {
    case 'float64':
    case 'int64':
      return 8;
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'bfloat16':
    case 'int16':
      return 2;
    default:
      return 1;
  }
}

/**
 * Views raw little-endian bytes as the typed array of a dtype (copying only if unaligned).
 * float16 and bfloat16 have no typed array: their values are converted exactly to a Float32Array.
 */
export function typedArrayFromBytes(d: DType, buf: ArrayBuffer, byteOffset = 0, length?: number): AnyTypedArray {
  const n = length ?? (buf.byteLength - byteOffset) / bytesPerElement(d);
  if (byteOffset % bytesPerElement(d) !== 0) {
    const copy = buf.slice(byteOffset, byteOffset + n * bytesPerElement(d));
    return typedArrayFromBytes(d, copy, 0, n);
  }
  switch (d) {
    case 'float32': return new Float32Array(buf, byteOffset, n);
    case 'float64': return new Float64Array(buf, byteOffset, n);
    case 'int32': return new Int32Array(buf, byteOffset, n);
    case 'int64': return new BigInt64Array(buf, byteOffset, n);
    case 'int16': return new Int16Array(buf, byteOffset, n);
    case 'int8': return new Int8Array(buf, byteOffset, n);
    case 'float16': return float16BytesToFloat32(new Uint8Array(buf, byteOffset, 2 * n));
    case 'bfloat16': return bfloat16BytesToFloat32(new Uint8Array(buf, byteOffset, 2 * n));
    case 'uint8':
    case 'bool': return new Uint8Array(buf, byteOffset, n);
  }
}

/** The dtype a typed array naturally stores. */
export function dtypeOfTypedArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Uint16Array) throw new TypeError('Uint16Array data is ambiguous (float16 or bfloat16): pass {dtype}');
  const name = (a as object).constructor?.name ?? typeof a;
  throw new TypeError(`${name} is not supported; use Float32Array, Float64Array, Int32Array, BigInt64Array, Int16Array, Int8Array or Uint8Array`);
}
