import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

const idx = (v: number[] | number[][]) => tensor(v, { dtype: 'int64' });

test('topk: largest, smallest, along dims, sorted', leakFreeTidy(() => {
  const a = tensor([[1, 9, 3, 7], [8, 2, 6, 4]]);
  const t = a.topk(2);
  assertTensor(t.values, [[9, 7], [8, 6]]);
  assertTensor(t.indices, [[1, 3], [0, 2]], { dtype: 'int64' });
  const s = a.topk(3, 1, false);
  assertTensor(s.values, [[1, 3, 7], [2, 4, 6]]);
  assertTensor(s.indices, [[0, 2, 3], [1, 3, 2]]);
  const c = a.topk(1, 0);
  assertTensor(c.values, [[8, 9, 6, 7]]);
  assertTensor(c.indices, [[1, 0, 1, 0]]);
  // unsorted: same set of values
  const u = a.topk(2, -1, true, false);
  assert.deepEqual(u.values.select(0, 0).toNumbers().sort(), [7, 9]);
}));

test('sort ascending and descending, along dims', leakFreeTidy(() => {
  const a = tensor([[3, 1, 2], [0, 5, 4]]);
  const s = a.sort();
  assertTensor(s.values, [[1, 2, 3], [0, 4, 5]]);
  assertTensor(s.indices, [[1, 2, 0], [0, 2, 1]], { dtype: 'int64' });
  const d = a.sort(1, true);
  assertTensor(d.values, [[3, 2, 1], [5, 4, 0]]);
  assertTensor(d.indices, [[0, 2, 1], [1, 2, 0]]);
  const z = a.sort(0);
  assertTensor(z.values, [[0, 1, 2], [3, 5, 4]]);
  assertTensor(z.indices, [[1, 0, 0], [0, 1, 1]]);
  assertTensor(a.argsort(), [[1, 2, 0], [0, 2, 1]]);
  assertTensor(a.argsort(1, true), [[0, 2, 1], [1, 2, 0]]);
}));

test('sort is stable: equal keys keep their order, ascending and descending', leakFreeTidy(() => {
  // Long enough (> 16) that an unstable sort would scramble ties.
  const n = 50;
  const keys = Array.from({ length: n }, (_, i) => (i * 7) % 3);
  const expectAsc = [...keys.keys()].sort((i, j) => keys[i]! - keys[j]! || i - j);
  const expectDesc = [...keys.keys()].sort((i, j) => keys[j]! - keys[i]! || i - j);
  assertTensor(tensor(keys).sort(0, false).indices, expectAsc);
  assertTensor(tensor(keys).sort(0, true).indices, expectDesc);
  assertTensor(tensor(keys).argsort(0, true), expectDesc);
}));

test('argsort disposes the values it does not return', async () => {
  const a = tensor([3, 1, 2]);
  await withLeakCheck(() => a.argsort());
  await withLeakCheck(() => a.topk(2));
  await withLeakCheck(() => a.sort());
  a.dispose();
});

test('gather along dims', leakFreeTidy(() => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  assertTensor(a.gather(1, idx([[2, 0], [1, 1]])), [[3, 1], [5, 5]]);
  assertTensor(a.gather(0, idx([[1, 0, 1]])), [[4, 2, 6]]);
  assertTensor(a.gather(-1, idx([[0], [2]])), [[1], [6]]);
}));

test('scatter with a source tensor and with a value, scatterAdd accumulates', leakFreeTidy(() => {
  const z = tensor([[0, 0, 0], [0, 0, 0]]);
  assertTensor(z.scatter(1, idx([[2, 0], [1, 2]]), tensor([[1, 2], [3, 4]])), [[2, 0, 1], [0, 3, 4]]);
  assertTensor(z.scatter(0, idx([[1, 0, 1]]), tensor([[7, 8, 9]])), [[0, 8, 0], [7, 0, 9]]);
  assertTensor(z.scatter(1, idx([[0], [2]]), 5), [[5, 0, 0], [0, 0, 5]]);
  assertTensor(z.scatterAdd(1, idx([[0, 0, 2], [1, 1, 1]]), tensor([[1, 2, 3], [4, 5, 6]])), [[3, 0, 3], [0, 15, 0]]);
  // scatter is out-of-place: the original is unchanged.
  assertTensor(z, [[0, 0, 0], [0, 0, 0]]);
}));

test('indexSelect picks rows or columns, with repeats', leakFreeTidy(() => {
  const a = tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assertTensor(a.indexSelect(0, idx([2, 0, 2])), [[7, 8, 9], [1, 2, 3], [7, 8, 9]]);
  assertTensor(a.indexSelect(1, idx([1])), [[2], [5], [8]]);
  assertTensor(a.indexSelect(1, tensor([0, 2], { dtype: 'int32' })), [[1, 3], [4, 6], [7, 9]]);
  assert.deepEqual(a.indexSelect(0, idx([])).shape, [0, 3]);
}));
