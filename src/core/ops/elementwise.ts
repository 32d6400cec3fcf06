// Elementwise math with broadcasting, comparisons and selection.
import { Tensor } from '../tensor.js';
import { op } from '../dispatch.js';

type Operand = Tensor | number;

declare module '../tensor.js' {
  interface Tensor {
    /** this + alpha·other (broadcasting). */
    add(other: Operand, alpha?: number): Tensor;
    /** this − alpha·other. */
    sub(other: Operand, alpha?: number): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    pow(exponent: Operand): Tensor;
    neg(): Tensor;
    abs(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log1p(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sigmoid(): Tensor;
    logSigmoid(): Tensor;
    tanh(): Tensor;
    relu(): Tensor;
    sign(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    /** Clamps into [min, max]; null leaves that side open. */
    clamp(min: number | null, max?: number | null): Tensor;
    maximum(other: Tensor): Tensor;
    minimum(other: Tensor): Tensor;
    eq(other: Operand): Tensor;
    ne(other: Operand): Tensor;
    lt(other: Operand): Tensor;
    le(other: Operand): Tensor;
    gt(other: Operand): Tensor;
    ge(other: Operand): Tensor;
    logicalNot(): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    /** Sets elements where mask is true to value. */
    maskedFill(mask: Tensor, value: number): Tensor;
  }
}

const P = Tensor.prototype;
const isT = (v: unknown): v is Tensor => v instanceof Tensor;

P.add = function (o, alpha = 1) { return isT(o) ? op('aten::add', 'Tensor')(this, o, alpha) : op('aten::add', 'Scalar')(this, o, alpha); };
P.sub = function (o, alpha = 1) { return isT(o) ? op('aten::sub', 'Tensor')(this, o, alpha) : op('aten::sub', 'Scalar')(this, o, alpha); };
P.mul = function (o) { return isT(o) ? op('aten::mul', 'Tensor')(this, o) : op('aten::mul', 'Scalar')(this, o); };
P.div = function (o) { return isT(o) ? op('aten::div', 'Tensor')(this, o) : op('aten::div', 'Scalar')(this, o); };
P.pow = function (e) { return isT(e) ? op('aten::pow', 'Tensor_Tensor')(this, e) : op('aten::pow', 'Tensor_Scalar')(this, e); };
P.neg = function () { return op('aten::neg')(this); };
P.abs = function () { return op('aten::abs')(this); };
P.exp = function () { return op('aten::exp')(this); };
P.log = function () { return op('aten::log')(this); };
P.log1p = function () { return op('aten::log1p')(this); };
P.sqrt = function () { return op('aten::sqrt')(this); };
P.rsqrt = function () { return op('aten::rsqrt')(this); };
P.square = function () { return op('aten::square')(this); };
P.reciprocal = function () { return op('aten::reciprocal')(this); };
P.sigmoid = function () { return op('aten::sigmoid')(this); };
P.logSigmoid = function () { return op('aten::log_sigmoid')(this); };
P.tanh = function () { return op('aten::tanh')(this); };
P.relu = function () { return op('aten::relu')(this); };
P.sign = function () { return op('aten::sign')(this); };
P.floor = function () { return op('aten::floor')(this); };
P.ceil = function () { return op('aten::ceil')(this); };
P.round = function () { return op('aten::round')(this); };
P.clamp = function (min, max = null) { return op('aten::clamp')(this, min, max); };
P.maximum = function (o) { return op('aten::maximum')(this, o); };
P.minimum = function (o) { return op('aten::minimum')(this, o); };
for (const name of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
  P[name] = function (this: Tensor, o: Operand) {
    return isT(o) ? op(`aten::${name}`, 'Tensor')(this, o) : op(`aten::${name}`, 'Scalar')(this, o);
  };
}
P.logicalNot = function () { return op('aten::logical_not')(this); };
P.logicalAnd = function (o) { return op('aten::logical_and')(this, o); };
P.logicalOr = function (o) { return op('aten::logical_or')(this, o); };
P.isnan = function () { return op('aten::isnan')(this); };
P.isfinite = function () { return op('aten::isfinite')(this); };
P.maskedFill = function (mask, value) { return op('aten::masked_fill', 'Scalar')(this, mask, value); };

/** Elementwise choice: a where cond is true, b elsewhere (broadcasting). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (isT(a) && isT(b)) return op('aten::where', 'self')(cond, a, b);
  if (isT(a)) return op('aten::where', 'ScalarOther')(cond, a, b);
  if (isT(b)) return op('aten::where', 'ScalarSelf')(cond, a, b);
  return op('aten::where', 'Scalar')(cond, a, b);
}
