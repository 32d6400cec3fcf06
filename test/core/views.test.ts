import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, cat, op, stack, tensor } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] as float32
const m34 = () => arange(12, undefined, 1, { dtype: 'float32' }).reshape([3, 4]);

test('reshape and view, with -1', leakFreeTidy(() => {
  const a = arange(6, undefined, 1, { dtype: 'float32' });
  assertTensor(a.reshape([2, 3]), [[0, 1, 2], [3, 4, 5]]);
  assertTensor(a.reshape([3, -1]), [[0, 1], [2, 3], [4, 5]]);
  assertTensor(a.view([1, 2, 3]), [[[0, 1, 2], [3, 4, 5]]]);
  assertTensor(a.reshape([-1]), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(tensor([5]).reshape([]).shape, []);
}));

test('views share storage with their base', leakFreeTidy(() => {
  const a = zerosLikeRange();
  const v = a.view([2, 3]);
  v.select(0, 1).fill_(7);
  assertTensor(a, [0, 0, 0, 7, 7, 7]);
  const s = a.slice(0, 0, 2);
  s.add_(1);
  assertTensor(a, [1, 1, 0, 7, 7, 7]);
}));

function zerosLikeRange() {
  return tensor([0, 0, 0, 0, 0, 0]);
}

test('permute, transpose, t and contiguous', leakFreeTidy(() => {
  const a = m34();
  assertTensor(a.t(), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  assertTensor(a.transpose(0, 1), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  assertTensor(a.transpose(-1, -2), [[0, 4, 8], [1, 5, 9], [2, 6, 10], [3, 7, 11]]);
  const b = a.reshape([3, 2, 2]).permute([2, 0, 1]);
  assert.deepEqual(b.shape, [2, 3, 2]);
  // b[k][i][j] = a3[i][j][k] = 4i + 2j + k
  assertTensor(b, [[[0, 2], [4, 6], [8, 10]], [[1, 3], [5, 7], [9, 11]]]);
  // view() needs contiguous memory; contiguous() provides it.
  assert.throws(() => a.t().view([12]), /aten::view/);
  assertTensor(a.t().contiguous().view([12]), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  assertTensor(a.t().reshape([12]), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
}));

test('slice with start, end, step and negative indices', leakFreeTidy(() => {
  const a = m34();
  assertTensor(a.slice(0, 1), [[4, 5, 6, 7], [8, 9, 10, 11]]);
  assertTensor(a.slice(1, 1, 3), [[1, 2], [5, 6], [9, 10]]);
  assertTensor(a.slice(1, 0, null, 2), [[0, 2], [4, 6], [8, 10]]);
  assertTensor(a.slice(1, -2), [[2, 3], [6, 7], [10, 11]]);
  assertTensor(a.slice(0, null, -1), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.deepEqual(a.slice(0, 5, 9).shape, [0, 4]);
}));

test('narrow and select', leakFreeTidy(() => {
  const a = m34();
  assertTensor(a.narrow(1, 1, 2), [[1, 2], [5, 6], [9, 10]]);
  assertTensor(a.narrow(0, 2, 1), [[8, 9, 10, 11]]);
  assertTensor(a.select(0, 1), [4, 5, 6, 7]);
  assertTensor(a.select(1, -1), [3, 7, 11]);
  assert.equal(a.select(0, 2).select(0, 3).item(), 11);
}));

test('squeeze, unsqueeze, expand, expandAs, flatten', leakFreeTidy(() => {
  const a = tensor([[[1], [2], [3]]]); // [1, 3, 1]
  assert.deepEqual(a.squeeze().shape, [3]);
  assert.deepEqual(a.squeeze(0).shape, [3, 1]);
  assert.deepEqual(a.squeeze(2).shape, [1, 3]);
  assert.deepEqual(a.squeeze(1).shape, [1, 3, 1]); // size 3: unchanged
  const v = tensor([1, 2, 3]);
  assertTensor(v.unsqueeze(0), [[1, 2, 3]]);
  assertTensor(v.unsqueeze(1), [[1], [2], [3]]);
  assertTensor(v.unsqueeze(-1), [[1], [2], [3]]);
  assertTensor(v.unsqueeze(0).expand([2, 3]), [[1, 2, 3], [1, 2, 3]]);
  assertTensor(v.unsqueeze(1).expand([-1, 2]), [[1, 1], [2, 2], [3, 3]]);
  assertTensor(tensor([[5]]).expandAs(m34().slice(0, 0, 2)), [[5, 5, 5, 5], [5, 5, 5, 5]]);
  const b = arange(24, undefined, 1, { dtype: 'float32' }).reshape([2, 3, 4]);
  assert.deepEqual(b.flatten().shape, [24]);
  assert.deepEqual(b.flatten(1).shape, [2, 12]);
  assert.deepEqual(b.flatten(0, 1).shape, [6, 4]);
  assertTensor(b.flatten(1).select(1, 11), [11, 23]);
}));

test('flip, repeat, clone, detach and dtype conversions', leakFreeTidy(() => {
  const a = tensor([[1, 2], [3, 4]]);
  assertTensor(a.flip([0]), [[3, 4], [1, 2]]);
  assertTensor(a.flip([0, 1]), [[4, 3], [2, 1]]);
  assertTensor(tensor([1, 2]).repeat([2, 2]), [[1, 2, 1, 2], [1, 2, 1, 2]]);
  const c = a.clone();
  c.fill_(0);
  assertTensor(a, [[1, 2], [3, 4]]);
  const x = tensor([1, 2], { requiresGrad: true });
  const d = x.mul(2).detach();
  assert.equal(d.requiresGrad, false);
  assertTensor(tensor([1.7, -1.7]).to('int32'), [1, -1], { dtype: 'int32' });
  assertTensor(tensor([1.5]).double(), [1.5], { dtype: 'float64' });
  assertTensor(tensor([2.9]).long(), [2], { dtype: 'int64' });
  assertTensor(tensor([2.9]).int(), [2], { dtype: 'int32' });
  assertTensor(tensor([0, 3]).bool(), [false, true], { dtype: 'bool' });
  assertTensor(tensor([1, 2], { dtype: 'int64' }).float(), [1, 2], { dtype: 'float32' });
}));

test('cat and stack along each dimension', leakFreeTidy(() => {
  const a = tensor([[1, 2], [3, 4]]);
  const b = tensor([[5, 6]]);
  assertTensor(cat([a, b]), [[1, 2], [3, 4], [5, 6]]);
  assertTensor(cat([a, b.t()], 1), [[1, 2, 5], [3, 4, 6]]);
  assertTensor(cat([a, a], -1), [[1, 2, 1, 2], [3, 4, 3, 4]]);
  assertTensor(cat([a]), [[1, 2], [3, 4]]);
  const c = tensor([[7, 8], [9, 10]]);
  assertTensor(stack([a, c]), [[[1, 2], [3, 4]], [[7, 8], [9, 10]]]);
  assertTensor(stack([a, c], 1), [[[1, 2], [7, 8]], [[3, 4], [9, 10]]]);
  assertTensor(stack([a, c], 2), [[[1, 7], [2, 8]], [[3, 9], [4, 10]]]);
  assertTensor(stack([tensor([1, 2]), tensor([3, 4])], -1), [[1, 3], [2, 4]]);
  assert.throws(() => cat([]), { name: 'RangeError', message: /cat\(\)/ });
  assert.throws(() => stack([]), { name: 'RangeError', message: /stack\(\)/ });
}));

test('split and chunk return views', leakFreeTidy(() => {
  const a = arange(5, undefined, 1, { dtype: 'float32' });
  const parts = a.split(2);
  assert.equal(parts.length, 3);
  assertTensor(parts[0]!, [0, 1]);
  assertTensor(parts[2]!, [4]);
  const ch = m34().chunk(2, 1);
  assert.equal(ch.length, 2);
  assertTensor(ch[1]!, [[2, 3], [6, 7], [10, 11]]);
}));

test('a shape-changing in-place op through op() refreshes the cached shape', leakFreeTidy(() => {
  const t = tensor([1, 2]);
  assert.deepEqual(t.shape, [2]);
  const r = op('aten::unsqueeze_')(t, 0);
  assert.equal(r, t, 'in-place ops return the very Tensor passed in');
  assert.deepEqual(t.shape, [1, 2]);
  assert.equal(t.rank, 2);
  op('aten::t_')(t);
  assert.deepEqual(t.shape, [2, 1]);
}));
