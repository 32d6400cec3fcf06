import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, where } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

const close = { atol: 1e-6, rtol: 1e-6 };

test('binary arithmetic with tensors and scalars', leakFreeTidy(() => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, 5, 6]);
  assertTensor(a.add(b), [5, 7, 9]);
  assertTensor(a.add(b, 2), [9, 12, 15]);
  assertTensor(a.sub(b), [-3, -3, -3]);
  assertTensor(a.sub(b, 0.5), [-1, -0.5, 0]);
  assertTensor(a.mul(b), [4, 10, 18]);
  assertTensor(a.div(b), [0.25, 0.4, 0.5], close);
  assertTensor(a.pow(b), [1, 32, 729]);
  assertTensor(a.add(1.5), [2.5, 3.5, 4.5]);
  assertTensor(a.add(1, 3), [4, 5, 6]);
  assertTensor(a.sub(1), [0, 1, 2]);
  assertTensor(a.mul(-2), [-2, -4, -6]);
  assertTensor(a.div(4), [0.25, 0.5, 0.75]);
  assertTensor(a.pow(2), [1, 4, 9]);
  assertTensor(a.pow(0.5), [1, Math.SQRT2, Math.sqrt(3)], close);
  assertTensor(a.maximum(tensor([2, 2, 2])), [2, 2, 3]);
  assertTensor(a.minimum(tensor([2, 2, 2])), [1, 2, 2]);
}));

test('broadcasting follows NumPy rules', leakFreeTidy(() => {
  const col = tensor([[1], [2], [3]]); // [3, 1]
  const row = tensor([10, 20]); // [2]
  assertTensor(col.add(row), [[11, 21], [12, 22], [13, 23]]);
  assertTensor(row.mul(col), [[10, 20], [20, 40], [30, 60]]);
  assertTensor(col.sub(tensor(1)), [[0], [1], [2]]);
  const a = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
  const b = tensor([[1], [10], [100]]); // [3, 1]
  const c = a.mul(b);
  assert.deepEqual(c.shape, [2, 3, 2]);
  assertTensor(c.select(0, 1), [[3, 4], [30, 40], [300, 400]]);
}));

test('dtype promotion: int with float scalar gives float, int with int scalar stays int', leakFreeTidy(() => {
  const i = tensor([1, 2], { dtype: 'int32' });
  assertTensor(i.add(0.5), [1.5, 2.5], { dtype: 'float32' });
  assertTensor(i.mul(3), [3, 6], { dtype: 'int32' });
  assertTensor(i.div(2), [0.5, 1], { dtype: 'float32' });
  assertTensor(i.add(tensor([0.25, 0.25], { dtype: 'float64' })), [1.25, 2.25], { dtype: 'float64' });
  assertTensor(tensor([1], { dtype: 'float32' }).add(tensor([1], { dtype: 'float64' })), [2], { dtype: 'float64' });
  assertTensor(tensor([1, 2], { dtype: 'int64' }).add(tensor([1, 1], { dtype: 'int32' })), [2, 3], { dtype: 'int64' });
}));

test('unary functions', leakFreeTidy(() => {
  const x = tensor([-2, -0.5, 0.5, 2], { dtype: 'float64' });
  const v = [-2, -0.5, 0.5, 2];
  const map = (f: (t: number) => number) => v.map(f);
  assertTensor(x.neg(), map((t) => -t));
  assertTensor(x.abs(), map(Math.abs));
  assertTensor(x.exp(), map(Math.exp), close);
  assertTensor(x.square(), map((t) => t * t));
  assertTensor(x.reciprocal(), map((t) => 1 / t), close);
  assertTensor(x.sigmoid(), map((t) => 1 / (1 + Math.exp(-t))), close);
  assertTensor(x.logSigmoid(), map((t) => -Math.log1p(Math.exp(-t))), close);
  assertTensor(x.tanh(), map(Math.tanh), close);
  assertTensor(x.relu(), [0, 0, 0.5, 2]);
  assertTensor(x.sign(), [-1, -1, 1, 1]);
  assertTensor(x.floor(), [-2, -1, 0, 2]);
  assertTensor(x.ceil(), [-2, -0, 1, 2]);
  assertTensor(tensor([0.4, 1.6, -1.6, 2.5]).round(), [0, 2, -2, 2]); // half to even
  assertTensor(x.clamp(-1, 1), [-1, -0.5, 0.5, 1]);
  assertTensor(x.clamp(0), [0, 0, 0.5, 2]);
  assertTensor(x.clamp(null, 0), [-2, -0.5, 0, 0]);
  const p = tensor([0.25, 1, 4], { dtype: 'float64' });
  assertTensor(p.log(), [Math.log(0.25), 0, Math.log(4)], close);
  assertTensor(p.log1p(), [Math.log1p(0.25), Math.log(2), Math.log(5)], close);
  assertTensor(p.sqrt(), [0.5, 1, 2]);
  assertTensor(p.rsqrt(), [2, 1, 0.5], close);
  assertTensor(tensor([-1]).sqrt(), [NaN]);
}));

test('comparisons give bool tensors, against tensors (broadcast) and scalars', leakFreeTidy(() => {
  const a = tensor([1, 2, 3]);
  const b = tensor([3, 2, 1]);
  assertTensor(a.eq(b), [false, true, false], { dtype: 'bool' });
  assertTensor(a.ne(b), [true, false, true], { dtype: 'bool' });
  assertTensor(a.lt(b), [true, false, false], { dtype: 'bool' });
  assertTensor(a.le(b), [true, true, false], { dtype: 'bool' });
  assertTensor(a.gt(b), [false, false, true], { dtype: 'bool' });
  assertTensor(a.ge(b), [false, true, true], { dtype: 'bool' });
  assertTensor(a.gt(1.5), [false, true, true], { dtype: 'bool' });
  assertTensor(a.eq(2), [false, true, false], { dtype: 'bool' });
  assertTensor(a.unsqueeze(1).lt(tensor([2, 3])), [[true, true], [false, true], [false, false]]);
  const m = a.gt(1);
  assertTensor(m.logicalNot(), [true, false, false]);
  assertTensor(m.logicalAnd(a.lt(3)), [false, true, false]);
  assertTensor(m.logicalOr(a.lt(2)), [true, true, true]);
  const n = tensor([1, NaN, Infinity, -Infinity]);
  assertTensor(n.isnan(), [false, true, false, false]);
  assertTensor(n.isfinite(), [true, false, false, false]);
}));

test('where and maskedFill, with tensors and scalars', leakFreeTidy(() => {
  const c = tensor([true, false, true]);
  const a = tensor([1, 2, 3]);
  const b = tensor([10, 20, 30]);
  assertTensor(where(c, a, b), [1, 20, 3]);
  assertTensor(where(c, a, 0), [1, 0, 3]);
  assertTensor(where(c, -1, b), [-1, 20, -1]);
  assertTensor(where(c, 1.5, 0.5), [1.5, 0.5, 1.5]);
  // Broadcast condition [2, 1] against [3].
  assertTensor(where(tensor([[true], [false]]), a, b), [[1, 2, 3], [10, 20, 30]]);
  assertTensor(a.maskedFill(c, -5), [-5, 2, -5]);
  assertTensor(a.maskedFill(tensor([false, true, false]), Number.NEGATIVE_INFINITY), [1, -Infinity, 3]);
}));
