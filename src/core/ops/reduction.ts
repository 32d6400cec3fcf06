// Reductions over all elements or over chosen dimensions.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';

type Dims = number | number[];
const dimList = (d: Dims): number[] => (Array.isArray(d) ? d : [d]);

declare module '../tensor.js' {
  interface Tensor {
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    prod(dim?: number, keepdim?: boolean): Tensor;
    /** Largest value overall, or along dims (values only; see maxWithIndices). */
    max(dim?: Dims, keepdim?: boolean): Tensor;
    min(dim?: Dims, keepdim?: boolean): Tensor;
    maxWithIndices(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    minWithIndices(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
    /** Index of the largest value (int64), over the flattened tensor when dim is omitted. */
    argmax(dim?: number, keepdim?: boolean): Tensor;
    argmin(dim?: number, keepdim?: boolean): Tensor;
    logsumexp(dim: Dims, keepdim?: boolean): Tensor;
    /** Vector p-norm over all elements or dims. */
    norm(p?: number, dim?: Dims, keepdim?: boolean): Tensor;
    std(dim?: Dims, keepdim?: boolean, unbiased?: boolean): Tensor;
    var(dim?: Dims, keepdim?: boolean, unbiased?: boolean): Tensor;
    all(): Tensor;
    any(): Tensor;
    cumsum(dim: number): Tensor;
  }
}

const P = Tensor.prototype;
P.sum = function (dim, keepdim = false) { return dim === undefined ? op('aten::sum')(this) : op('aten::sum', 'dim_IntList')(this, dimList(dim), keepdim); };
P.mean = function (dim, keepdim = false) { return dim === undefined ? op('aten::mean')(this) : op('aten::mean', 'dim')(this, dimList(dim), keepdim); };
P.prod = function (dim, keepdim = false) { return dim === undefined ? op('aten::prod')(this) : op('aten::prod', 'dim_int')(this, dim, keepdim); };
P.max = function (dim, keepdim = false) { return dim === undefined ? op('aten::max')(this) : op('aten::amax')(this, dimList(dim), keepdim); };
P.min = function (dim, keepdim = false) { return dim === undefined ? op('aten::min')(this) : op('aten::amin')(this, dimList(dim), keepdim); };
P.maxWithIndices = function (dim, keepdim = false) { const [values, indices] = op('aten::max', 'dim')(this, dim, keepdim); return { values, indices }; };
P.minWithIndices = function (dim, keepdim = false) { const [values, indices] = op('aten::min', 'dim')(this, dim, keepdim); return { values, indices }; };
P.argmax = function (dim, keepdim = false) { return op('aten::argmax')(this, dim ?? null, keepdim); };
P.argmin = function (dim, keepdim = false) { return op('aten::argmin')(this, dim ?? null, keepdim); };
P.logsumexp = function (dim, keepdim = false) { return op('aten::logsumexp')(this, dimList(dim), keepdim); };
P.norm = function (p = 2, dim, keepdim = false) { return op('aten::linalg_vector_norm')(this, p, dim === undefined ? null : dimList(dim), keepdim); };
P.std = function (dim, keepdim = false, unbiased = true) { return op('aten::std', 'dim')(this, dim === undefined ? null : dimList(dim), unbiased, keepdim); };
P.var = function (dim, keepdim = false, unbiased = true) { return op('aten::var', 'dim')(this, dim === undefined ? null : dimList(dim), unbiased, keepdim); };
P.all = function () { return op('aten::all')(this); };
P.any = function () { return op('aten::any')(this); };
P.cumsum = function (dim) { return op('aten::cumsum')(this, dim); };
