// The generic door to ATen operators: argument and return conversions, caching, in-place aliasing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, op, schemaOf, tensor, zeros } from '../../src/core/index.js';
import { scalarTypeCode } from '../../src/core/dtype.js';
import { withLeakCheck } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

test('op() is cached per name and overload, resolved lazily', () => {
  assert.equal(op('aten::add', 'Tensor'), op('aten::add', 'Tensor'));
  assert.notEqual(op('aten::add', 'Tensor'), op('aten::add', 'Scalar'));
  assert.doesNotThrow(() => op('aten::surely_not_an_op'));
  assert.equal(schemaOf('aten::add', 'Tensor'), 'aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor');
});

test('ops without a Tensor method are reachable; omitted and undefined trailing args take defaults', leakFreeTidy(() => {
  const x = tensor([[1, 2], [3, 5]], { dtype: 'float64' });
  const sm = op('aten::softmax', 'int')(x, 1);
  assertTensor(sm.sum(1), [1, 1], { atol: 1e-12 });
  assert.equal(op('aten::equal')(op('aten::softmax', 'int')(x, 1, undefined), sm), true);
  assertTensor(op('aten::sum', 'dim_IntList')(x, [0], undefined, null), [4, 7]);
  assertTensor(op('aten::clamp')(x, null, 2), [[1, 2], [2, 2]]);
}));

test('argument kinds: scalars, bigint, int lists (also a bare int), float lists, strings, devices, dtypes, optional tensor lists', leakFreeTidy(() => {
  const i = tensor([1, 2], { dtype: 'int32' });
  assertTensor(op('aten::add', 'Scalar')(i, 2), [3, 4], { dtype: 'int32' });
  assertTensor(op('aten::add', 'Scalar')(i, 0.5), [1.5, 2.5], { dtype: 'float32' });
  assertTensor(op('aten::add', 'Scalar')(i, true), [2, 3], { dtype: 'int32' });
  assert.deepEqual(op('aten::add', 'Scalar')(tensor([1], { dtype: 'int64' }), 2n ** 40n).toArray(), new BigInt64Array([2n ** 40n + 1n]));
  assertTensor(op('aten::sum', 'dim_IntList')(tensor([[1, 2], [3, 4]]), 1), [3, 7]);
  assert.deepEqual(op('aten::upsample_nearest2d', 'vec')(zeros([1, 1, 2, 3]), null, [2.0, 2.0]).shape, [1, 1, 4, 6]);
  assertTensor(op('aten::div', 'Tensor_mode')(tensor([7, -7]), tensor([2, 2]), 'floor'), [3, -4]);
  assertTensor(op('aten::div', 'Tensor_mode')(tensor([7, -7]), tensor([2, 2]), 'trunc'), [3, -3]);
  assert.equal(op('aten::to', 'device')(tensor([1]), 'cpu', scalarTypeCode('float64')).dtype, 'float64');
  assertTensor(op('aten::index', 'Tensor')(tensor([[1, 2], [3, 4]]), [null, tensor([1], { dtype: 'int64' })]), [[2], [4]]);
  assertTensor(op('aten::normal_')(zeros([3]), 1, 0, null), [1, 1, 1]);
}));

test('return kinds: tuples, tensor lists, ints, doubles, bools', leakFreeTidy(() => {
  const x = tensor([[1, 5], [7, 3]]);
  const [values, indices] = op('aten::max', 'dim')(x, 1);
  assertTensor(values, [5, 7]);
  assertTensor(indices, [1, 0], { dtype: 'int64' });
  const rows = op('aten::unbind', 'int')(x, 0);
  assert.equal(rows.length, 2);
  assertTensor(rows[1], [7, 3]);
  assert.equal(op('aten::size', 'int')(x, 1), 2);
  assert.equal(op('aten::item')(tensor([2.5])), 2.5);
  assert.equal(op('aten::equal')(x, x.clone()), true);
  assert.equal(op('aten::equal')(x, x.add(1)), false);
  assert.equal(op('aten::is_floating_point')(x), true);
}));

test('multiple returns are all wrapped and owned (no hidden handles)', async () => {
  const x = tensor([[1, 5], [7, 3]]);
  await withLeakCheck(() => op('aten::max', 'dim')(x, 1));
  await withLeakCheck(() => op('aten::unbind', 'int')(x, 0));
  await withLeakCheck(() => op('aten::sort', 'stable')(x, true, 0, false));
  await withLeakCheck(() => {
    op('aten::size', 'int')(x, 0);
    op('aten::equal')(x, x);
  });
  x.dispose();
});

test('in-place ops return the caller\'s Tensor (no new handle); out= ops return the out Tensor', async () => {
  const t = tensor([1, 2]);
  const out = zeros([2]);
  await withLeakCheck(() => {
    assert.equal(op('aten::mul_', 'Scalar')(t, 3), t);
    assert.equal(op('aten::add', 'out')(t, t, 1, out), out);
  });
  assertTensor(t, [3, 6]);
  assertTensor(out, [6, 12]);
  t.dispose();
  out.dispose();
});

test('autograd is recorded through the generic door', leakFreeTidy(() => {
  const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  const y = op('aten::softmax', 'int')(x, 0);
  const [g] = grad(op('aten::select', 'int')(y, 0, 0), [x]);
  const p0 = 1 / (1 + Math.E);
  assertTensor(g!, [p0 * (1 - p0), -p0 * (1 - p0)], { atol: 1e-12 });
}));
