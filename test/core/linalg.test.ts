import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linear, tensor } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

const A = [[1, 2, 3], [4, 5, 6]]; // [2, 3]
const B = [[7, 8], [9, 10], [11, 12]]; // [3, 2]
const AB = [[58, 64], [139, 154]];

test('matmul of 2-D matrices, and mm', leakFreeTidy(() => {
  assertTensor(tensor(A).matmul(tensor(B)), AB);
  assertTensor(tensor(A).mm(tensor(B)), AB);
  assertTensor(tensor(A, { dtype: 'float64' }).matmul(tensor(B, { dtype: 'float64' })), AB, { dtype: 'float64' });
  // A transposed (non-contiguous) operand.
  assertTensor(tensor(B).t().matmul(tensor(A).t()), [[58, 139], [64, 154]]);
}));

test('matmul with 1-D operands: matrix-vector, vector-matrix, dot', leakFreeTidy(() => {
  assertTensor(tensor(A).matmul(tensor([1, 0, -1])), [-2, -2]);
  assertTensor(tensor([1, -1]).matmul(tensor(A)), [-3, -3, -3]);
  assertTensor(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])), 32);
  assertTensor(tensor([1, 2, 3]).dot(tensor([4, 5, 6])), 32);
}));

test('batched matmul broadcasts batch dimensions; bmm', leakFreeTidy(() => {
  const a = tensor([A, A.map((r) => r.map((v) => -v))]); // [2, 2, 3]
  const b = tensor(B); // [3, 2]
  const r = a.matmul(b);
  assert.deepEqual(r.shape, [2, 2, 2]);
  assertTensor(r, [AB, AB.map((row) => row.map((v) => -v))]);
  const bb = tensor([B, B]);
  assertTensor(a.bmm(bb), [AB, AB.map((row) => row.map((v) => -v))]);
  // [2, 1, 2, 3] @ [3, 3, 2] -> [2, 3, 2, 2]
  assert.deepEqual(a.unsqueeze(1).matmul(tensor([B, B, B])).shape, [2, 3, 2, 2]);
}));

test('linear computes x·wᵀ + b', leakFreeTidy(() => {
  const x = tensor([[1, 2, 3]]);
  const w = tensor([[1, 0, 0], [0, 1, 1]]);
  assertTensor(linear(x, w, tensor([10, 20])), [[11, 25]]);
  assertTensor(linear(x, w), [[1, 5]]);
  assertTensor(linear(x, w, null), [[1, 5]]);
}));
