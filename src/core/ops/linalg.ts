// Matrix products.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';

declare module '../tensor.js' {
  interface Tensor {
    /** Matrix product with NumPy broadcasting rules (1-D, 2-D, batched). */
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    bmm(other: Tensor): Tensor;
    dot(other: Tensor): Tensor;
  }
}

const P = Tensor.prototype;
P.matmul = function (o) { return op('aten::matmul')(this, o); };
P.mm = function (o) { return op('aten::mm')(this, o); };
P.bmm = function (o) { return op('aten::bmm')(this, o); };
P.dot = function (o) { return op('aten::dot')(this, o); };

/** bias + x·wᵀ (a fused linear layer). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  return op('aten::linear')(x, weight, bias ?? null);
}
