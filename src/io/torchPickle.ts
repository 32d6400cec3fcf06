/**
 * The PyTorch side of unpickling a `torch.save` file: the allow-list of
 * torch globals (storage types, dtypes, `_rebuild_tensor_v2` and friends)
 * and the inert objects they produce. Tensors come out as
 * {@link TorchTensorRef}s — storage + offset + size + stride, resolved to
 * contiguous bytes only when asked — so unused entries of a checkpoint
 * (optimizer state, ...) cost nothing.
 */
import { BASIC_PICKLE_GLOBALS, PickleDict, callPickleGlobal, isPickleTuple, type PickleGlobal } from './pickle.js';
import { dtypeByteSize, shapeNumel, type RawDType, type RawTensor } from './rawTensor.js';
import { checkLimit, inputLimits, type InputLimits } from './inputLimits.js';

/** A dtype or storage type named by the pickle: the RawDType, or why it is not supported. */
export interface TorchTypeMarker {
  readonly kind: 'dtype' | 'storageType';
  /** 'torch.float32', 'torch.FloatStorage', ... */
  readonly qualifiedName: string;
  /** Undefined for types we cannot carry (complex, quantized, ...). */
  readonly dtype: RawDType | undefined;
}

/** One storage of the checkpoint: a flat byte buffer read on demand. */
export class TorchStorageRef {
  private cached: Uint8Array | undefined;

  constructor(
    /** The storage key (file `data/<key>` in the archive). */
    readonly key: string,
    /** The storage's element type. */
    readonly type: TorchTypeMarker,
    /** Device it was saved from ('cpu', 'cuda:0', ...); the bytes are the same. */
    readonly location: string,
    /** Number of elements. */
    readonly numel: number,
    private readonly loadBytes: () => Uint8Array,
  ) {}

  /** The storage's bytes in file byte order. */
  bytes(): Uint8Array {
    if (!this.cached) this.cached = this.loadBytes();
    return this.cached;
  }
}

/** A tensor as the pickle describes it: a strided view of a storage. */
export class TorchTensorRef {
  /** Attributes attached by `_rebuild_from_type_v2` / `_rebuild_parameter_with_state` (ignored). */
  readonly attributes = new Map<string, unknown>();

  constructor(
    readonly storage: TorchStorageRef,
    /** Element type; differs from the storage's only for `_rebuild_tensor_v3` (untyped storages). */
    readonly type: TorchTypeMarker,
    readonly storageOffset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
    readonly requiresGrad: boolean,
    /** True if it was an nn.Parameter. */
    public isParameter = false,
  ) {}

  /** BUILD with a state (tensor attributes): recorded, never executed. */
  pickleBuild(state: unknown): void {
    if (state instanceof Map) for (const [k, v] of state) this.attributes.set(String(k), v);
  }
}

/** Reads one storage given its persistent id fields; supplied by the container format. */
export type StorageLoader = (key: string, type: TorchTypeMarker, location: string, numel: number) => TorchStorageRef;

const DTYPE_OF_STORAGE: Readonly<Record<string, RawDType | undefined>> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8',
  ByteStorage: 'uint8', BoolStorage: 'bool', UntypedStorage: 'uint8',
  ComplexFloatStorage: undefined, ComplexDoubleStorage: undefined, ComplexHalfStorage: undefined,
  QInt8Storage: undefined, QUInt8Storage: undefined, QInt32Storage: undefined, QUInt4x2Storage: undefined, QUInt2x4Storage: undefined,
};

const DTYPE_OF_DTYPE: Readonly<Record<string, RawDType | undefined>> = {
  float32: 'float32', float: 'float32', float64: 'float64', double: 'float64', float16: 'float16', half: 'float16',
  bfloat16: 'bfloat16', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool',
  complex64: undefined, complex128: undefined, complex32: undefined, cfloat: undefined, cdouble: undefined,
  qint8: undefined, quint8: undefined, qint32: undefined, quint4x2: undefined, quint2x4: undefined,
  uint16: undefined, uint32: undefined, uint64: undefined, float8_e4m3fn: undefined, float8_e5m2: undefined,
  float8_e4m3fnuz: undefined, float8_e5m2fnuz: undefined,
};

function intArg(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  throw new Error(`${what} must be a non-negative integer, got ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v)}`);
}

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v)) throw new Error(`${what} must be a tuple of integers`);
  return v.map((x, i) => intArg(x, `${what}[${i}]`));
}

function storageArg(v: unknown): TorchStorageRef {
  if (v instanceof TorchStorageRef) return v;
  throw new Error('expected a storage as first argument');
}

function tensorArg(v: unknown): TorchTensorRef {
  if (v instanceof TorchTensorRef) return v;
  throw new Error('expected a tensor');
}

function rebuildTensor(args: readonly unknown[], type?: TorchTypeMarker): TorchTensorRef {
  const storage = storageArg(args[0]);
  const offset = intArg(args[1], 'storage_offset');
  const shape = intList(args[2], 'size');
  const stride = intList(args[3], 'stride');
  if (shape.length !== stride.length) throw new Error(`size has ${shape.length} dims but stride has ${stride.length}`);
  return new TorchTensorRef(storage, type ?? storage.type, offset, shape, stride, args[4] === true);
}

function unsupported(what: string, advice: string): PickleGlobal {
  const fn = (): never => {
    throw new Error(`${what} are not supported; ${advice}`);
  };
  return { call: fn, construct: fn };
}

function applyState(t: TorchTensorRef, state: unknown): void {
  if (state instanceof Map) t.pickleBuild(state);
  else if (isPickleTuple(state)) for (const part of state) if (part instanceof Map) t.pickleBuild(part);
}

/**
 * The allow-list for `torch.save` pickles: {@link BASIC_PICKLE_GLOBALS}
 * plus torch storage types, dtypes and tensor-rebuild functions. Nothing on
 * it executes user code; each entry builds an inert description.
 */
export function torchPickleGlobals(): Map<string, PickleGlobal> {
  const g = new Map<string, PickleGlobal>(BASIC_PICKLE_GLOBALS);
  for (const [name, dtype] of Object.entries(DTYPE_OF_STORAGE)) {
    const marker: TorchTypeMarker = { kind: 'storageType', qualifiedName: `torch.${name}`, dtype };
    g.set(`torch.${name}`, { value: marker });
    // Legacy pickles name CUDA storages by their CUDA class; the bytes are the same.
    g.set(`torch.cuda.${name}`, { value: { ...marker, qualifiedName: `torch.cuda.${name}` } });
  }
  for (const [name, dtype] of Object.entries(DTYPE_OF_DTYPE)) {
    g.set(`torch.${name}`, { value: { kind: 'dtype', qualifiedName: `torch.${name}`, dtype } satisfies TorchTypeMarker });
  }
  g.set('torch._utils._rebuild_tensor', { call: (a) => rebuildTensor([...a.slice(0, 4), false]) });
  g.set('torch._utils._rebuild_tensor_v2', { call: (a) => rebuildTensor(a) });
  g.set('torch._utils._rebuild_tensor_v3', {
    // (untyped storage, offset, size, stride, requires_grad, hooks, dtype, metadata?): offset and sizes are in elements of dtype.
    call: (a) => {
      const type = a[6] as TorchTypeMarker | undefined;
      if (!type || type.kind !== 'dtype') throw new Error('expected a dtype as 7th argument');
      return rebuildTensor(a, type);
    },
  });
  const parameter = (a: readonly unknown[]): TorchTensorRef => {
    const t = tensorArg(a[0]);
    t.isParameter = true;
    return t;
  };
  g.set('torch._utils._rebuild_parameter', { call: parameter });
  g.set('torch._utils._rebuild_parameter_with_state', {
    call: (a) => {
      const t = parameter(a);
      applyState(t, a[3]);
      return t;
    },
  });
  g.set('torch.nn.parameter.Parameter', { call: parameter, construct: parameter });
  g.set('torch.Tensor', { value: { kind: 'tensorType', qualifiedName: 'torch.Tensor' } });
  g.set('torch._tensor._rebuild_from_type_v2', {
    // (func, new_type, args, state): the subclass is dropped, the state kept as attributes.
    call: (a) => {
      const args = a[2];
      if (!Array.isArray(args)) throw new Error('expected an argument tuple');
      const t = tensorArg(callPickleGlobal(a[0], args));
      applyState(t, a[3]);
      return t;
    },
  });
  g.set('torch.Size', { call: (a) => Object.freeze(intList(a[0] ?? [], 'torch.Size')) });
  g.set('torch.device', { call: (a) => a.map(String).join(':') });
  g.set('torch.serialization._get_layout', { call: (a) => String(a[0]) });
  g.set('collections.Counter', { call: () => new PickleDict('collections.Counter') });

  const noSparse = 'convert to dense tensors (tensor.to_dense()) before saving';
  g.set('torch._utils._rebuild_qtensor', unsupported('quantized tensors', 'dequantize them (tensor.dequantize()) before saving'));
  g.set('torch._utils._rebuild_sparse_tensor', unsupported('sparse tensors', noSparse));
  g.set('torch._utils._rebuild_sparse_csr_tensor', unsupported('sparse tensors', noSparse));
  g.set('torch._utils._rebuild_meta_tensor_no_storage', unsupported('meta tensors (no data)', 'save materialised weights'));
  g.set('torch._utils._rebuild_wrapper_subclass', unsupported('tensor wrapper subclasses', 'save plain tensors'));
  g.set('torch._utils._rebuild_device_tensor_from_numpy', unsupported('numpy-backed device tensors', 'move tensors to the CPU before saving'));
  g.set('torch._utils._rebuild_device_tensor_from_cpu_tensor', unsupported('device tensors rebuilt from CPU tensors', 'move tensors to the CPU before saving'));
  g.set('torch._utils._rebuild_xla_tensor', unsupported('XLA tensors', 'move tensors to the CPU before saving'));
  return g;
}

/**
 * A persistent_load for `torch.save` pickles: turns
 * `('storage', storage_type, key, location, numel)` into a
 * {@link TorchStorageRef} through `load`, sharing one ref per key and type.
 */
export function torchPersistentLoad(load: StorageLoader): (pid: unknown) => TorchStorageRef {
  const seen = new Map<string, TorchStorageRef>();
  return (pid) => {
    if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage') {
      throw new Error(`unsupported persistent id ${describe(pid)} (expected ('storage', type, key, location, numel))`);
    }
    const [, type, key, location, numel] = pid as unknown[];
    const marker = type as TorchTypeMarker;
    if (!marker || (marker.kind !== 'storageType' && marker.kind !== 'dtype')) throw new Error(`persistent id names no storage type: ${describe(pid)}`);
    if (typeof key !== 'string' && typeof key !== 'number') throw new Error(`storage key must be a string, got ${describe(key)}`);
    const n = intArg(numel, 'storage numel');
    const id = `${String(key)}\u0000${marker.qualifiedName}`;
    let ref = seen.get(id);
    if (!ref) {
      ref = load(String(key), marker, String(location), n);
      seen.set(id, ref);
    }
    return ref;
  };
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Row-major contiguity (dims of size 1 may have any stride). */
function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i]!;
  }
  return true;
}

/**
 * Copies the strided view (offset, shape, stride — all in elements of
 * `itemSize` bytes) of `storage` into contiguous row-major bytes. Returns a
 * subarray (no copy) when the view already is contiguous.
 */
export function gatherStrided(storage: Uint8Array, itemSize: number, offset: number, shape: readonly number[], stride: readonly number[]): Uint8Array {
  const numel = shapeNumel(shape);
  if (numel === 0) return new Uint8Array(0);
  const storageNumel = Math.floor(storage.byteLength / itemSize);
  let last = offset;
  for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
  if (last >= storageNumel) {
    throw new RangeError(`view (offset ${offset}, size [${shape.join(', ')}], stride [${stride.join(', ')}]) reaches element ${last} of a storage of ${storageNumel} elements`);
  }
  if (isContiguous(shape, stride)) return storage.subarray(offset * itemSize, (offset + numel) * itemSize);

  const out = new Uint8Array(numel * itemSize);
  const nd = shape.length;
  const inner = shape[nd - 1]!;
  const innerStride = stride[nd - 1]!;
  const outerNumel = numel / inner;
  const index = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  let base = offset;
  let o = 0;
  for (let outer = 0; outer < outerNumel; outer++) {
    if (innerStride === 1) {
      out.set(storage.subarray(base * itemSize, (base + inner) * itemSize), o);
      o += inner * itemSize;
    } else {
      for (let j = 0, s = base * itemSize; j < inner; j++, s += innerStride * itemSize) {
        for (let b = 0; b < itemSize; b++) out[o++] = storage[s + b]!;
      }
    }
    // Odometer over the outer dims.
    for (let d = nd - 2; d >= 0; d--) {
      index[d]!++;
      base += stride[d]!;
      if (index[d]! < shape[d]!) break;
      base -= shape[d]! * stride[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** Reverses the byte order of every `itemSize`-byte element (in place). */
export function swapBytes(data: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize === 1) return data;
  for (let i = 0; i < data.byteLength; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = data[a]!;
      data[a] = data[b]!;
      data[b] = t;
    }
  }
  return data;
}

/** Options of {@link materializeTorchTensor}. */
export interface MaterializeOptions {
  /** Limit on views that expand beyond their storage (`expandedViewBytes`); default {@link inputLimits}(). */
  limits?: Partial<InputLimits>;
  /** File and tensor name for errors. */
  source?: string;
  name?: string;
}

/**
 * The contiguous little-endian RawTensor of a pickled tensor. `bigEndian`
 * says the checkpoint's storages are big-endian (its `byteorder` record).
 * Throws an Error naming what is wrong (unsupported dtype, view outside its
 * storage, storage record too short), and an InputLimitError when a view
 * whose elements overlap (stride 0, expand) would be copied out to more bytes
 * than its storage holds plus the `expandedViewBytes` limit.
 */
export function materializeTorchTensor(t: TorchTensorRef, bigEndian = false, options: MaterializeOptions = {}): RawTensor {
  const dtype = t.type.dtype;
  if (dtype === undefined) throw new Error(`dtype ${t.type.qualifiedName} is not supported (supported: float32/64, float16, bfloat16, int64/32/16/8, uint8, bool)`);
  const itemSize = dtypeByteSize(dtype);
  const storageBytes = t.storage.numel * (t.storage.type.dtype === undefined ? 1 : dtypeByteSize(t.storage.type.dtype));
  const bytes = t.storage.bytes();
  if (bytes.byteLength < storageBytes) {
    throw new Error(`storage '${t.storage.key}' should hold ${t.storage.numel} ${t.storage.type.qualifiedName} elements (${storageBytes} bytes) but its record has ${bytes.byteLength} bytes`);
  }
  // A 492-byte checkpoint can describe a [25000, 25000] view with stride 0 of one element:
  // copied out, 2.5 GB. Copies up to the storage's own size are ordinary (transposed weights).
  const viewBytes = shapeNumel(t.shape) * itemSize;
  if (viewBytes > storageBytes) {
    checkLimit(inputLimits(options.limits), 'expandedViewBytes', viewBytes - storageBytes, options.source ?? 'PyTorch checkpoint',
      () => `tensor${options.name ? ` '${options.name}'` : ''} (a [${t.shape.join(', ')}] view with stride [${t.stride.join(', ')}]) expanding ${viewBytes - storageBytes} bytes beyond its ${storageBytes}-byte storage`);
  }
  let data = gatherStrided(bytes.subarray(0, storageBytes), itemSize, t.storageOffset, t.shape, t.stride);
  if (bigEndian && itemSize > 1) data = swapBytes(data.slice(), itemSize);
  return { dtype, shape: [...t.shape], data };
}
