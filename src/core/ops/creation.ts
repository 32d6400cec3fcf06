// Creation of tensors from data, constants and random draws.
import { native } from '../native.js';
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';
import { outOfRange } from '../errors.js';
import { dtypeOfTypedArray, nativeCode, scalarTypeCode, type AnyTypedArray, type DType } from '../dtype.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export type NestedNumbers = number | boolean | NestedNumbers[];

/**
 * Creates a tensor from a typed array (with `shape`), a number, or nested arrays.
 * Numbers default to float32; typed arrays keep their own type unless `dtype` says otherwise.
 * @example tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), { shape: [2, 3] });
 */
export function tensor(data: NestedNumbers | AnyTypedArray, opts: CreateOptions & { shape?: number[] } = {}): Tensor {
  let flat: AnyTypedArray;
  let shape: number[];
  let dtype: DType;
  if (ArrayBuffer.isView(data)) {
    const natural = dtypeOfTypedArray(data);
    dtype = opts.dtype ?? natural;
    shape = opts.shape ?? [data.length];
    flat = convertTyped(data, natural, dtype);
  } else {
    const inferred = inferShape(data);
    shape = inferred;
    if (opts.shape !== undefined) {
      const n = shape.reduce((a, b) => a * b, 1);
      const m = opts.shape.reduce((a, b) => a * b, 1);
      if (n !== m) throw new RangeError(`tensor(): ${n} values cannot take shape [${opts.shape.join(', ')}] (${m} elements)`);
      shape = opts.shape;
    }
    const values: (number | boolean)[] = [];
    flatten(data, inferred, 0, values);
    dtype = opts.dtype ?? (typeof values[0] === 'boolean' ? 'bool' : 'float32');
    flat = fromNumbers(values, dtype);
  }
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== flat.length) {
    throw new RangeError(`tensor(): data has ${flat.length} elements but shape [${shape.join(', ')}] needs ${expected}`);
  }
  const t = Tensor.fromHandle(native.fromBuffer(flat, shape, nativeCode(dtype)));
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(data: NestedNumbers): number[] {
  const shape: number[] = [];
  let d: NestedNumbers = data;
  while (Array.isArray(d)) {
    shape.push(d.length);
    if (d.length === 0) break;
    d = d[0]!;
  }
  return shape;
}

// Checks every sub-array against the shape inferred from the first elements, so ragged data
// fails here rather than being silently read with the wrong shape.
function flatten(d: NestedNumbers, shape: number[], depth: number, out: (number | boolean)[]): void {
  if (depth < shape.length) {
    if (!Array.isArray(d) || d.length !== shape[depth]) {
      const got = Array.isArray(d) ? `${d.length} elements` : `a ${typeof d}`;
      throw new RangeError(`tensor(): ragged nested array: expected ${shape[depth]} elements at depth ${depth} (shape [${shape.join(', ')}]), got ${got}`);
    }
    for (const e of d) flatten(e, shape, depth + 1, out);
  } else if (typeof d === 'number' || typeof d === 'boolean') out.push(d);
  else if (Array.isArray(d)) throw new RangeError(`tensor(): ragged nested array: expected a number at depth ${depth} (shape [${shape.join(', ')}]), got an array`);
  else throw new TypeError(`tensor(): expected numbers or nested arrays of numbers, got ${typeof d}`);
}

function fromNumbers(values: (number | boolean)[], dtype: DType): AnyTypedArray {
  const nums = values.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
  switch (dtype) {
    case 'float32': return Float32Array.from(nums);
    case 'float64': return Float64Array.from(nums);
    case 'int32': return Int32Array.from(nums);
    case 'int64': return BigInt64Array.from(nums, (v) => BigInt(Math.trunc(v)));
    case 'int16': return Int16Array.from(nums);
    case 'int8': return Int8Array.from(nums);
    case 'uint8': return Uint8Array.from(nums);
    case 'bool': return Uint8Array.from(nums, (v) => (v ? 1 : 0));
    default: throw new TypeError(`tensor(): cannot create ${dtype} from numbers; create float32 and convert with .to('${dtype}')`);
  }
}

function convertTyped(data: AnyTypedArray, from: DType, to: DType): AnyTypedArray {
  // uint8 -> bool still converts: a bool byte must be 0 or 1 (libtorch assumes it).
  if (from === to) return data;
  if (data instanceof BigInt64Array) return fromNumbers(Array.from(data, Number), to);
  return fromNumbers(Array.from(data as ArrayLike<number>), to);
}

function dt(d: DType | undefined): number | null {
  return d === undefined ? null : scalarTypeCode(d);
}

function withGrad(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Tensor of zeros (float32 unless `dtype`). */
export function zeros(shape: number[], opts: CreateOptions = {}): Tensor {
  return withGrad(op('aten::zeros')(shape, dt(opts.dtype ?? 'float32')), opts);
}

export function ones(shape: number[], opts: CreateOptions = {}): Tensor {
  return withGrad(op('aten::ones')(shape, dt(opts.dtype ?? 'float32')), opts);
}

export function full(shape: number[], value: number, opts: CreateOptions = {}): Tensor {
  return withGrad(op('aten::full')(shape, value, dt(opts.dtype ?? 'float32')), opts);
}

/** Standard normal draws from the global generator (see manualSeed). */
export function randn(shape: number[], opts: CreateOptions = {}): Tensor {
  return withGrad(op('aten::randn')(shape, dt(opts.dtype ?? 'float32')), opts);
}

/** Uniform draws on [0, 1). */
export function rand(shape: number[], opts: CreateOptions = {}): Tensor {
  return withGrad(op('aten::rand')(shape, dt(opts.dtype ?? 'float32')), opts);
}

/** Uniform integers on [low, high), int64 unless `dtype`. */
export function randint(low: number, high: number, shape: number[], opts: CreateOptions = {}): Tensor {
  return op('aten::randint', 'low')(low, high, shape, dt(opts.dtype ?? 'int64'));
}

/** A random permutation of 0..n-1 (int64). */
export function randperm(n: number): Tensor {
  return op('aten::randperm')(n, dt('int64'));
}

/**
 * Values from start (inclusive) to end (exclusive) by step. Integer arguments give int64,
 * as in PyTorch; pass `dtype` to choose.
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  return op('aten::arange', 'start_step')(start, end, step, dt(opts.dtype));
}

export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  return op('aten::linspace')(start, end, steps, dt(opts.dtype ?? 'float32'));
}

export function eye(n: number, opts: CreateOptions = {}): Tensor {
  return op('aten::eye')(n, dt(opts.dtype ?? 'float32'));
}

export function zerosLike(t: Tensor, opts: { dtype?: DType } = {}): Tensor {
  return op('aten::zeros_like')(t, dt(opts.dtype));
}

export function onesLike(t: Tensor, opts: { dtype?: DType } = {}): Tensor {
  return op('aten::ones_like')(t, dt(opts.dtype));
}

export function fullLike(t: Tensor, value: number, opts: { dtype?: DType } = {}): Tensor {
  return op('aten::full_like')(t, value, dt(opts.dtype));
}

export function randnLike(t: Tensor): Tensor {
  return op('aten::randn_like')(t);
}

export function randLike(t: Tensor): Tensor {
  return op('aten::rand_like')(t);
}

/**
 * Creates a tensor from raw little-endian bytes (any dtype, including float16/bfloat16),
 * as read from a weight file. The bytes are copied.
 */
export function fromBytes(bytes: Uint8Array, shape: number[], dtype: DType): Tensor {
  if (dtype === 'bool') {
    // libtorch assumes a bool byte is 0 or 1; any other byte gives values that are neither true nor false.
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b > 1) throw outOfRange(`element ${i} of a bool tensor in fromBytes()`, 'a byte 0 or 1', b);
    }
  }
  // The addon reads whole elements; an unaligned view is copied to a fresh buffer first.
  const view = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  return Tensor.fromHandle(native.fromBuffer(view, shape, nativeCode(dtype)));
}

/** The raw little-endian bytes of a tensor (contiguous copy). */
export function toBytes(t: Tensor): Uint8Array {
  return new Uint8Array(native.toBuffer(t.handle));
}
