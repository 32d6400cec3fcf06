// Views and reshaping, joining and splitting.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';
import { scalarTypeCode, type DType } from '../dtype.js';
import { native } from '../native.js';
import { isContiguousIn, memoryFormatCode, type MemoryFormat } from '../memoryFormat.js';
import { invalidType, outOfRange } from '../errors.js';

/** Options of {@link Tensor.contiguous}. */
export interface ContiguousOptions {
  /** The element order wanted: 'contiguous' (NCHW, default) or 'channelsLast' (NHWC, 4-D tensors only). */
  memoryFormat?: MemoryFormat;
}

declare module '../tensor.js' {
  interface Tensor {
    /** Same data with a new shape (copies only if needed); one dimension may be -1. */
    reshape(shape: number[]): Tensor;
    /** A view with a new shape; the tensor must be contiguous enough. */
    view(shape: number[]): Tensor;
    permute(dims: number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** Transpose of a 2-D tensor. */
    t(): Tensor;
    /**
     * The same values laid out densely in `memoryFormat`'s order (default 'contiguous': row-major);
     * a new handle to the same data when it already is (no copy, as PyTorch). Shape and indexing do not change.
     * @example const x = images.contiguous({ memoryFormat: 'channelsLast' }); // NHWC in memory
     */
    contiguous(opts?: ContiguousOptions): Tensor;
    /** Whether the elements lie densely in `format`'s order (default 'contiguous'). A tensor can be both (e.g. when C = 1 or H = W = 1). */
    isContiguous(format?: MemoryFormat): boolean;
    /** Element strides per dimension (how far apart neighbours along each dimension are in memory). */
    strides(): number[];
    /** Elements start..end-1 (by step) along dim, as a view; negative indices count from the end. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    /** Removes dimension `dim` by taking index `index`. */
    select(dim: number, index: number): Tensor;
    squeeze(dim?: number): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(shape: number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    flip(dims: number[]): Tensor;
    repeat(repeats: number[]): Tensor;
    clone(): Tensor;
    /** A tensor sharing data but cut from the autograd graph. */
    detach(): Tensor;
    /** Converts the element type (a new handle to the same data if already that type). */
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    long(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    split(size: number, dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
  }
}

const P = Tensor.prototype;
P.reshape = function (shape) { return op('aten::reshape')(this, shape); };
P.view = function (shape) { return op('aten::view')(this, shape); };
P.permute = function (dims) { return op('aten::permute')(this, dims); };
P.transpose = function (d0, d1) { return op('aten::transpose', 'int')(this, d0, d1); };
P.t = function () { return op('aten::t')(this); };
P.contiguous = function (opts = {}) {
  if (opts === null || typeof opts !== 'object') throw invalidType('contiguous() options', 'an object such as { memoryFormat: \'channelsLast\' }', opts);
  const format = opts.memoryFormat ?? 'contiguous';
  const code = memoryFormatCode(format, 'option memoryFormat of contiguous()');
  if (format === 'channelsLast' && this.rank !== 4) throw outOfRange('contiguous() with memoryFormat \'channelsLast\'', 'a 4-D tensor [N, C, H, W]', this);
  return op('aten::contiguous')(this, code);
};
P.isContiguous = function (format = 'contiguous') { return isContiguousIn(this.handle, format); };
P.strides = function () { return native.strides(this.handle); };
P.slice = function (dim, start = null, end = null, step = 1) { return op('aten::slice', 'Tensor')(this, dim, start, end, step); };
P.narrow = function (dim, start, length) { return op('aten::narrow')(this, dim, start, length); };
P.select = function (dim, index) { return op('aten::select', 'int')(this, dim, index); };
P.squeeze = function (dim) { return dim === undefined ? op('aten::squeeze')(this) : op('aten::squeeze', 'dim')(this, dim); };
P.unsqueeze = function (dim) { return op('aten::unsqueeze')(this, dim); };
P.expand = function (shape) { return op('aten::expand')(this, shape); };
P.expandAs = function (other) { return op('aten::expand_as')(this, other); };
P.flatten = function (startDim = 0, endDim = -1) { return op('aten::flatten', 'using_ints')(this, startDim, endDim); };
P.flip = function (dims) { return op('aten::flip')(this, dims); };
P.repeat = function (repeats) { return op('aten::repeat')(this, repeats); };
P.clone = function () { return op('aten::clone')(this); };
P.detach = function () { return op('aten::detach')(this); };
P.to = function (dtype) { return op('aten::to', 'dtype')(this, scalarTypeCode(dtype)); };
P.float = function () { return this.to('float32'); };
P.double = function () { return this.to('float64'); };
P.long = function () { return this.to('int64'); };
P.int = function () { return this.to('int32'); };
P.bool = function () { return this.to('bool'); };
P.split = function (size, dim = 0) { return op('aten::split', 'Tensor')(this, size, dim); };
P.chunk = function (chunks, dim = 0) { return op('aten::chunk')(this, chunks, dim); };

/** Concatenates along an existing dimension. */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('cat(): needs at least one tensor');
  return op('aten::cat')(tensors, dim);
}

/** Stacks along a new dimension. */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError('stack(): needs at least one tensor');
  return op('aten::stack')(tensors, dim);
}
