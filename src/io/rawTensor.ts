/**
 * The engine-independent tensor that the weight-file readers and writers
 * exchange: a dtype, a shape and the contiguous little-endian bytes in
 * row-major order. Conversion to and from the engine's Tensor lives elsewhere.
 */

/** Element types the weight-file formats carry. */
export type RawDType =
  | 'float32' | 'float64' | 'float16' | 'bfloat16'
  | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/**
 * A tensor as bytes. `data` holds exactly numel × itemsize bytes,
 * little-endian, row-major. It may be a view into the bytes of the file it was
 * parsed from (no copy), so writing into it writes into that buffer, and two
 * tensors that shared a storage in PyTorch may alias the same bytes. Its
 * `byteOffset` need not be a multiple of the item size: use
 * {@link rawTensorValues} rather than `new Float32Array(data.buffer, ...)`.
 */
export interface RawTensor {
  dtype: RawDType;
  shape: number[];
  data: Uint8Array;
}

/** Tensors by name, in file order (Map preserves insertion order). */
export type RawStateDict = Map<string, RawTensor>;

const ITEM_SIZE: Readonly<Record<RawDType, number>> = {
  float32: 4, float64: 8, float16: 2, bfloat16: 2,
  int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

/** All supported dtypes. */
export const RAW_DTYPES: readonly RawDType[] = Object.keys(ITEM_SIZE) as RawDType[];

/** True if `value` names a supported dtype. */
export function isRawDType(value: unknown): value is RawDType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ITEM_SIZE, value);
}

/** Bytes per element of `dtype` (bool is one byte, 0 or 1). */
export function dtypeByteSize(dtype: RawDType): number {
  const size = ITEM_SIZE[dtype];
  if (size === undefined) throw new TypeError(`unknown dtype '${String(dtype)}' (expected one of ${RAW_DTYPES.join(', ')})`);
  return size;
}

/** Number of elements of a shape (1 for the scalar shape `[]`). Throws on a non-integer or negative size. */
export function shapeNumel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]: sizes must be non-negative integers`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(', ')}] has too many elements`);
  return n;
}

/** numel × itemsize: the byte length `data` must have. */
export function rawByteLength(dtype: RawDType, shape: readonly number[]): number {
  return shapeNumel(shape) * dtypeByteSize(dtype);
}

/**
 * Throws a TypeError/RangeError naming `name` unless `t` is a well-formed
 * RawTensor (known dtype, valid shape, byte count = numel × itemsize).
 */
export function checkRawTensor(t: RawTensor, name = 'tensor'): void {
  if (t === null || typeof t !== 'object') throw new TypeError(`${name}: expected a RawTensor, got ${t === null ? 'null' : typeof t}`);
  if (!isRawDType(t.dtype)) throw new TypeError(`${name}: unknown dtype '${String(t.dtype)}' (expected one of ${RAW_DTYPES.join(', ')})`);
  if (!Array.isArray(t.shape)) throw new TypeError(`${name}: shape must be an array of sizes`);
  if (!(t.data instanceof Uint8Array)) throw new TypeError(`${name}: data must be a Uint8Array`);
  let expected: number;
  try {
    expected = rawByteLength(t.dtype, t.shape);
  } catch (e) {
    throw new RangeError(`${name}: ${(e as Error).message}`);
  }
  if (t.data.byteLength !== expected) {
    throw new RangeError(`${name}: ${t.dtype} shape [${t.shape.join(', ')}] needs ${expected} bytes but data has ${t.data.byteLength}`);
  }
}

// float16 / bfloat16 conversions live in core (Tensor.toArray uses them too).
export {
  float16BitsToFloat32, float32ToFloat16Bits, bfloat16BitsToFloat32, float32ToBfloat16Bits,
  float16BytesToFloat32, bfloat16BytesToFloat32,
} from '../core/halfFloat.js';
import { float16BytesToFloat32, bfloat16BytesToFloat32, float32ToFloat16Bits, float32ToBfloat16Bits } from '../core/halfFloat.js';

// ---------------------------------------------------------------------------
// Typed-array views of the values

/** The typed array {@link rawTensorValues} returns for each dtype. */
export type RawValues = Float32Array | Float64Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('RawTensor value conversion assumes a little-endian host');
}

/** A copy of `data` whose byteOffset is 0 (so any typed array can view it). */
function alignedCopy(data: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return copy.buffer;
}

/**
 * The values of `t` as a fresh typed array (never aliasing `t.data`):
 * float32 → Float32Array, float64 → Float64Array, float16/bfloat16 →
 * Float32Array (exact), int64 → BigInt64Array, int32/int16/int8 → the
 * matching signed array, uint8 and bool (0/1) → Uint8Array.
 *
 * @example
 * const w = rawTensorValues(dict.get('conv1.weight')!) as Float32Array;
 */
export function rawTensorValues(t: RawTensor): RawValues {
  checkRawTensor(t);
  checkHost();
  const d = t.data;
  switch (t.dtype) {
    case 'float32': return new Float32Array(alignedCopy(d));
    case 'float64': return new Float64Array(alignedCopy(d));
    case 'float16': return float16BytesToFloat32(d);
    case 'bfloat16': return bfloat16BytesToFloat32(d);
    case 'int64': return new BigInt64Array(alignedCopy(d));
    case 'int32': return new Int32Array(alignedCopy(d));
    case 'int16': return new Int16Array(alignedCopy(d));
    case 'int8': return new Int8Array(alignedCopy(d));
    case 'uint8':
    case 'bool': return new Uint8Array(alignedCopy(d));
  }
}

/**
 * The values of `t` converted to float32 whatever its dtype (int64 through
 * Number, so beyond 2^24 precision is lost as in `tensor.float()`).
 */
export function rawTensorToFloat32(t: RawTensor): Float32Array {
  const v = rawTensorValues(t);
  if (v instanceof Float32Array) return v;
  const out = new Float32Array(v.length);
  if (v instanceof BigInt64Array) for (let i = 0; i < v.length; i++) out[i] = Number(v[i]!);
  else out.set(v);
  return out;
}

/**
 * A RawTensor of `dtype` and `shape` holding `values` (row-major), encoded
 * like PyTorch would: floats rounded to nearest even for float16/bfloat16,
 * integers wrapped to the dtype's width, bool = value ≠ 0.
 *
 * @example
 * const bias = rawTensorFromValues('float32', [3], [0.1, 0.2, 0.3]);
 */
export function rawTensorFromValues(dtype: RawDType, shape: number[], values: ArrayLike<number> | ArrayLike<bigint>): RawTensor {
  checkHost();
  const n = shapeNumel(shape);
  if (values.length !== n) throw new RangeError(`rawTensorFromValues: shape [${shape.join(', ')}] has ${n} elements but ${values.length} values were given`);
  const num = (i: number): number => Number(values[i]!);
  let data: Uint8Array;
  switch (dtype) {
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        a[i] = typeof v === 'bigint' ? BigInt.asIntN(64, v) : BigInt(Math.trunc(v));
      }
      data = new Uint8Array(a.buffer);
      break;
    }
    case 'float16':
    case 'bfloat16': {
      const a = new Uint16Array(n);
      const enc = dtype === 'float16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
      for (let i = 0; i < n; i++) a[i] = enc(num(i));
      data = new Uint8Array(a.buffer);
      break;
    }
    case 'bool': {
      data = new Uint8Array(n);
      for (let i = 0; i < n; i++) data[i] = num(i) !== 0 ? 1 : 0;
      break;
    }
    default: {
      const Ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int16: Int16Array, int8: Int8Array, uint8: Uint8Array }[dtype];
      const a = new Ctor(n);
      for (let i = 0; i < n; i++) a[i] = num(i);
      data = new Uint8Array(a.buffer);
    }
  }
  return { dtype, shape: [...shape], data };
}
