import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

const close = { atol: 1e-6, rtol: 1e-6 };
// [[1, 5, 2], [4, 3, 6]]
const m = () => tensor([[1, 5, 2], [4, 3, 6]]);

test('sum and mean: all, one dim, several dims, keepdim, negative dims', leakFreeTidy(() => {
  const a = m();
  assertTensor(a.sum(), 21);
  assertTensor(a.sum(0), [5, 8, 8]);
  assertTensor(a.sum(1), [8, 13]);
  assertTensor(a.sum(-1, true), [[8], [13]]);
  assertTensor(a.sum([0, 1]), 21);
  assertTensor(a.sum(0, true), [[5, 8, 8]]);
  assertTensor(a.mean(), 3.5);
  assertTensor(a.mean(0), [2.5, 4, 4]);
  assertTensor(a.mean(1, true), [[8 / 3], [13 / 3]], close);
  const b = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
  assertTensor(b.sum([0, 2]), [14, 22]);
  assertTensor(b.mean([-1, -2], true), [[[2.5]], [[6.5]]]);
  // Integer sums stay integral (int64), as in PyTorch.
  assertTensor(tensor([1, 2, 3], { dtype: 'int32' }).sum(), 6, { dtype: 'int64' });
}));

test('prod, std, var, cumsum, all, any', leakFreeTidy(() => {
  const a = m();
  assertTensor(a.prod(), 720);
  assertTensor(a.prod(1), [10, 72]);
  assertTensor(a.prod(0, true), [[4, 15, 12]]);
  const v = tensor([2, 4, 4, 4, 5, 5, 7, 9], { dtype: 'float64' });
  assertTensor(v.var(undefined, false, false), 4, close);
  assertTensor(v.std(undefined, false, false), 2, close);
  assertTensor(v.var(), 32 / 7, close);
  assertTensor(a.std(1, true), [[Math.sqrt(13 / 3)], [Math.sqrt(7 / 3)]], { atol: 1e-5, rtol: 1e-5 });
  assertTensor(a.cumsum(1), [[1, 6, 8], [4, 7, 13]]);
  assertTensor(a.cumsum(0), [[1, 5, 2], [5, 8, 8]]);
  assertTensor(tensor([true, true]).all(), true);
  assertTensor(tensor([true, false]).all(), false);
  assertTensor(tensor([false, true]).any(), true);
  assertTensor(tensor([false, false]).any(), false);
}));

test('max and min: overall, along dims, keepdim', leakFreeTidy(() => {
  const a = m();
  assertTensor(a.max(), 6);
  assertTensor(a.min(), 1);
  assertTensor(a.max(0), [4, 5, 6]);
  assertTensor(a.max(1), [5, 6]);
  assertTensor(a.min(1, true), [[1], [3]]);
  assertTensor(a.max([0, 1]), 6);
  assertTensor(a.min(-2), [1, 3, 2]);
  const mx = a.maxWithIndices(1);
  assertTensor(mx.values, [5, 6]);
  assertTensor(mx.indices, [1, 2], { dtype: 'int64' });
  const mn = a.minWithIndices(0, true);
  assertTensor(mn.values, [[1, 3, 2]]);
  assertTensor(mn.indices, [[0, 1, 0]], { dtype: 'int64' });
}));

test('argmax and argmin: flattened and along dims', leakFreeTidy(() => {
  const a = m();
  assertTensor(a.argmax(), 5, { dtype: 'int64' });
  assertTensor(a.argmin(), 0, { dtype: 'int64' });
  assertTensor(a.argmax(0), [1, 0, 1], { dtype: 'int64' });
  assertTensor(a.argmax(1, true), [[1], [2]], { dtype: 'int64' });
  assertTensor(a.argmin(1), [0, 1], { dtype: 'int64' });
  // Ties: the first occurrence.
  assertTensor(tensor([3, 7, 7, 1]).argmax(), 1);
}));

test('logsumexp along dims, stable for large values', leakFreeTidy(() => {
  const a = tensor([[1, 2, 3], [1000, 1000, 1000]], { dtype: 'float64' });
  const lse = (v: number[]) => Math.log(v.reduce((s, x) => s + Math.exp(x), 0));
  assertTensor(a.logsumexp(1), [lse([1, 2, 3]), 1000 + Math.log(3)], close);
  assertTensor(a.logsumexp(1, true), [[lse([1, 2, 3])], [1000 + Math.log(3)]], close);
  assertTensor(a.slice(0, 0, 1).logsumexp(0), [1, 2, 3]);
  assertTensor(tensor([[0, 0], [0, 0]], { dtype: 'float64' }).logsumexp([0, 1]), Math.log(4), close);
}));

test('norm: p = 2, 1, inf, along dims with keepdim', leakFreeTidy(() => {
  const a = tensor([[3, -4], [6, 8]], { dtype: 'float64' });
  assertTensor(a.norm(), Math.sqrt(9 + 16 + 36 + 64), close);
  assertTensor(a.norm(2, 1), [5, 10], close);
  assertTensor(a.norm(1, 1), [7, 14]);
  assertTensor(a.norm(1, 0, true), [[9, 12]]);
  assertTensor(a.norm(Infinity, 1), [4, 8]);
  assertTensor(a.norm(2, [0, 1]), Math.sqrt(125), close);
  assertTensor(a.norm(0.5, 1), [(Math.sqrt(3) + 2) ** 2, (Math.sqrt(6) + Math.sqrt(8)) ** 2], close);
}));

test('reductions of an empty dim follow PyTorch (sum 0, max throws)', leakFreeTidy(() => {
  const e = tensor([[], []]); // [2, 0]
  assertTensor(e.sum(1), [0, 0]);
  assert.throws(() => e.max(1), /aten::amax/);
}));
