// In-place updates, used by optimizers and initializers. They return `this`.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';

declare module '../tensor.js' {
  interface Tensor {
    add_(other: Tensor | number, alpha?: number): this;
    sub_(other: Tensor | number, alpha?: number): this;
    mul_(other: Tensor | number): this;
    div_(other: Tensor | number): this;
    /** this += value · t1 · t2 */
    addcmul_(t1: Tensor, t2: Tensor, value?: number): this;
    /** this += value · t1 / t2 */
    addcdiv_(t1: Tensor, t2: Tensor, value?: number): this;
    lerp_(end: Tensor, weight: number): this;
    copy_(src: Tensor): this;
    zero_(): this;
    fill_(value: number): this;
    clamp_(min: number | null, max?: number | null): this;
    sqrt_(): this;
    uniform_(from?: number, to?: number): this;
    normal_(mean?: number, std?: number): this;
  }
}

const P = Tensor.prototype;
const isT = (v: unknown): v is Tensor => v instanceof Tensor;
P.add_ = function (o, alpha = 1) { return isT(o) ? op('aten::add_', 'Tensor')(this, o, alpha) : op('aten::add_', 'Scalar')(this, o, alpha); };
P.sub_ = function (o, alpha = 1) { return isT(o) ? op('aten::sub_', 'Tensor')(this, o, alpha) : op('aten::sub_', 'Scalar')(this, o, alpha); };
P.mul_ = function (o) { return isT(o) ? op('aten::mul_', 'Tensor')(this, o) : op('aten::mul_', 'Scalar')(this, o); };
P.div_ = function (o) { return isT(o) ? op('aten::div_', 'Tensor')(this, o) : op('aten::div_', 'Scalar')(this, o); };
P.addcmul_ = function (t1, t2, value = 1) { return op('aten::addcmul_')(this, t1, t2, value); };
P.addcdiv_ = function (t1, t2, value = 1) { return op('aten::addcdiv_')(this, t1, t2, value); };
P.lerp_ = function (end, weight) { return op('aten::lerp_', 'Scalar')(this, end, weight); };
P.copy_ = function (src) { return op('aten::copy_')(this, src); };
P.zero_ = function () { return op('aten::zero_')(this); };
P.fill_ = function (v) { return op('aten::fill_', 'Scalar')(this, v); };
P.clamp_ = function (min, max = null) { return op('aten::clamp_')(this, min, max); };
P.sqrt_ = function () { return op('aten::sqrt_')(this); };
P.uniform_ = function (from = 0, to = 1) { return op('aten::uniform_')(this, from, to); };
P.normal_ = function (mean = 0, std = 1) { return op('aten::normal_')(this, mean, std); };
