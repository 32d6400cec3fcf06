// Selection by index: top-k, sorting, gather/scatter, index_select.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';

declare module '../tensor.js' {
  interface Tensor {
    /** The k largest (or smallest) values along dim with their int64 indices. */
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): { values: Tensor; indices: Tensor };
    /** Sorts along dim; `stable` keeps the order of equal elements (default true). */
    sort(dim?: number, descending?: boolean, stable?: boolean): { values: Tensor; indices: Tensor };
    argsort(dim?: number, descending?: boolean): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    /** Copy of this with src (or a value) written at index along dim. */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    indexSelect(dim: number, index: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
P.topk = function (k, dim = -1, largest = true, sorted = true) {
  const [values, indices] = op('aten::topk')(this, k, dim, largest, sorted);
  return { values, indices };
};
P.sort = function (dim = -1, descending = false, stable = true) {
  const [values, indices] = op('aten::sort', 'stable')(this, stable, dim, descending);
  return { values, indices };
};
P.argsort = function (dim = -1, descending = false) {
  const { values, indices } = this.sort(dim, descending, true);
  values.dispose();
  return indices;
};
P.gather = function (dim, index) { return op('aten::gather')(this, dim, index); };
P.scatter = function (dim, index, src) {
  return src instanceof Tensor ? op('aten::scatter', 'src')(this, dim, index, src) : op('aten::scatter', 'value')(this, dim, index, src);
};
P.scatterAdd = function (dim, index, src) { return op('aten::scatter_add')(this, dim, index, src); };
P.indexSelect = function (dim, index) { return op('aten::index_select')(this, dim, index); };
