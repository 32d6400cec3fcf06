import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  arange, eye, full, fullLike, linspace, manualSeed, ones, onesLike, rand, randint, randLike, randn, randnLike, randperm, tensor, zeros, zerosLike,
} from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertClose, assertTensor } from '../helpers/assertTensor.js';

test('tensor() from nested arrays infers shape, defaults to float32 (bool for booleans)', leakFreeTidy(() => {
  assertTensor(tensor([[1, 2, 3], [4, 5, 6]]), [[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
  assertTensor(tensor([[[1], [2]]]), [[[1], [2]]]);
  assertTensor(tensor([true, false, true]), [true, false, true], { dtype: 'bool' });
  const s = tensor(2.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.item(), 2.5);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assertTensor(tensor([1, 2, 3, 4], { shape: [2, 2] }), [[1, 2], [3, 4]]);
}));

test('tensor() from nested arrays converts to each requested dtype', leakFreeTidy(() => {
  assertTensor(tensor([1.5, -2.25], { dtype: 'float64' }), [1.5, -2.25], { dtype: 'float64' });
  assertTensor(tensor([1.5, 0.1], { dtype: 'float32' }), [1.5, Math.fround(0.1)], { dtype: 'float32' });
  assertTensor(tensor([7, -3], { dtype: 'int32' }), [7, -3], { dtype: 'int32' });
  const l = tensor([[2 ** 40, -5]], { dtype: 'int64' });
  assert.equal(l.dtype, 'int64');
  assert.deepEqual(l.toArray(), new BigInt64Array([2n ** 40n, -5n]));
  assertTensor(tensor([0, 255, 3], { dtype: 'uint8' }), [0, 255, 3], { dtype: 'uint8' });
  assertTensor(tensor([0, 2, -1], { dtype: 'bool' }), [false, true, true], { dtype: 'bool' });
  assertTensor(tensor([true, false], { dtype: 'float32' }), [1, 0], { dtype: 'float32' });
}));

test('tensor() from typed arrays keeps their dtype and copies the data', leakFreeTidy(() => {
  const cases: [ArrayBufferView & ArrayLike<number | bigint>, string][] = [
    [new Float32Array([1.5, 2, 3, 4]), 'float32'],
    [new Float64Array([1.5, 2, 3, 4]), 'float64'],
    [new Int32Array([-1, 2, 3, 4]), 'int32'],
    [new BigInt64Array([-1n, 2n, 3n, 4n]), 'int64'],
    [new Uint8Array([1, 2, 3, 250]), 'uint8'],
    [new Int16Array([-1, 2, 3, 4]), 'int16'],
    [new Int8Array([-1, 2, 3, 4]), 'int8'],
  ];
  for (const [data, dtype] of cases) {
    const t = tensor(data as never, { shape: [2, 2] });
    assert.equal(t.dtype, dtype);
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual(t.toArray(), data);
    (data as unknown as (number | bigint)[])[0] = typeof data[0] === 'bigint' ? 9n : 9;
    assert.notEqual(t.toNumbers()[0], 9, `${dtype}: tensor must not alias the source array`);
  }
  // A typed array viewing part of a larger buffer.
  const buf = new Float32Array([0, 1, 2, 3, 4, 5]);
  assertTensor(tensor(buf.subarray(2, 5)), [2, 3, 4]);
  // Conversion on creation.
  assertTensor(tensor(new Float32Array([1.5, -2.5]), { dtype: 'int32' }), [1, -2], { dtype: 'int32' });
  assertTensor(tensor(new Int32Array([1, 2]), { dtype: 'float64' }), [1, 2], { dtype: 'float64' });
  assertTensor(tensor(new BigInt64Array([3n]), { dtype: 'float32' }), [3], { dtype: 'float32' });
}));

test('tensor() from a Uint8Array as bool stores 0/1', leakFreeTidy(() => {
  const b = tensor(new Uint8Array([0, 1, 2, 255]), { dtype: 'bool' });
  assert.equal(b.dtype, 'bool');
  assert.deepEqual(b.toArray(), new Uint8Array([0, 1, 1, 1]));
  assert.equal(b.sum().item(), 3);
}));

test('tensor() rejects ragged arrays and non-numbers', leakFreeTidy(() => {
  assert.throws(() => tensor([[1, 2], [3]]), { name: 'RangeError', message: /tensor\(\): ragged/ });
  // Same total count as the inferred shape: must still be rejected.
  assert.throws(() => tensor([[1], [2, 3], []]), { name: 'RangeError', message: /ragged/ });
  assert.throws(() => tensor([[1, 2], 3] as never), { name: 'RangeError', message: /ragged/ });
  assert.throws(() => tensor(['a'] as never), { name: 'TypeError', message: /tensor\(\)/ });
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), { name: 'RangeError', message: /tensor\(\)/ });
  assert.throws(() => tensor(new Float32Array(3), { shape: [2, 2] }), { name: 'RangeError', message: /tensor\(\)/ });
  assert.throws(() => tensor(new Uint32Array(2) as never), { name: 'TypeError', message: /Uint32Array/ });
}));

test('requiresGrad option marks a leaf', leakFreeTidy(() => {
  const a = tensor([1, 2], { requiresGrad: true });
  assert.equal(a.requiresGrad, true);
  assert.equal(a.isLeaf, true);
  const z = zeros([2], { dtype: 'float64', requiresGrad: true });
  assert.equal(z.requiresGrad, true);
  assert.equal(tensor([1]).requiresGrad, false);
}));

test('zeros, ones, full, eye and the *Like variants', leakFreeTidy(() => {
  assertTensor(zeros([2, 3]), [[0, 0, 0], [0, 0, 0]], { dtype: 'float32' });
  assertTensor(ones([2], { dtype: 'int64' }), [1, 1], { dtype: 'int64' });
  assertTensor(ones([1, 2], { dtype: 'bool' }), [[true, true]], { dtype: 'bool' });
  assertTensor(full([2, 2], 1.5), [[1.5, 1.5], [1.5, 1.5]], { dtype: 'float32' });
  assertTensor(full([3], 7, { dtype: 'int32' }), [7, 7, 7], { dtype: 'int32' });
  assertTensor(full([1], -0.1, { dtype: 'float64' }), [-0.1], { dtype: 'float64' });
  assertTensor(full([2], 2), [2, 2], { dtype: 'float32' });
  assertTensor(eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { dtype: 'float32' });
  assert.deepEqual(zeros([]).shape, []);
  assert.deepEqual(zeros([0, 4]).shape, [0, 4]);
  const base = tensor([[1, 2, 3]], { dtype: 'float64' });
  assertTensor(zerosLike(base), [[0, 0, 0]], { dtype: 'float64' });
  assertTensor(onesLike(base, { dtype: 'int32' }), [[1, 1, 1]], { dtype: 'int32' });
  assertTensor(fullLike(base, 4.5), [[4.5, 4.5, 4.5]], { dtype: 'float64' });
}));

test('arange: integer arguments give int64, fractional give float32, as in PyTorch', leakFreeTidy(() => {
  assertTensor(arange(5), [0, 1, 2, 3, 4], { dtype: 'int64' });
  assertTensor(arange(2, 8, 2), [2, 4, 6], { dtype: 'int64' });
  assertTensor(arange(5, 0, -2), [5, 3, 1], { dtype: 'int64' });
  assertTensor(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75], { dtype: 'float32' });
  assertTensor(arange(0, 3, 1, { dtype: 'float64' }), [0, 1, 2], { dtype: 'float64' });
  assert.deepEqual(arange(0).shape, [0]);
}));

test('linspace includes both ends', leakFreeTidy(() => {
  assertTensor(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], { dtype: 'float32' });
  assertTensor(linspace(-1, 1, 3, { dtype: 'float64' }), [-1, 0, 1], { dtype: 'float64' });
  assertTensor(linspace(2, 2, 1), [2]);
}));

test('randn and rand have the right shape, dtype and distribution', leakFreeTidy(() => {
  manualSeed(0);
  const n = randn([100, 100]);
  assert.equal(n.dtype, 'float32');
  assert.deepEqual(n.shape, [100, 100]);
  assert.ok(Math.abs(n.mean().item()) < 0.05, 'randn mean near 0');
  assert.ok(Math.abs(n.std().item() - 1) < 0.05, 'randn std near 1');
  const u = rand([10000], { dtype: 'float64' });
  assert.equal(u.dtype, 'float64');
  assert.ok(u.min().item() >= 0 && u.max().item() < 1, 'rand in [0, 1)');
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.02, 'rand mean near 0.5');
  const r = randint(3, 6, [1000]);
  assert.equal(r.dtype, 'int64');
  assert.equal(r.min().item(), 3);
  assert.equal(r.max().item(), 5);
  const p = randperm(6).toNumbers().sort((a, b) => a - b);
  assert.deepEqual(p, [0, 1, 2, 3, 4, 5]);
}));

test('randnLike and randLike take the shape and dtype of their argument', leakFreeTidy(() => {
  manualSeed(0);
  const base = zeros([50, 40], { dtype: 'float64' });
  const n = randnLike(base);
  assert.equal(n.dtype, 'float64');
  assert.deepEqual(n.shape, [50, 40]);
  assert.ok(Math.abs(n.mean().item()) < 0.1 && Math.abs(n.std().item() - 1) < 0.1, 'randnLike is standard normal');
  const u = randLike(base);
  assert.equal(u.dtype, 'float64');
  assert.deepEqual(u.shape, [50, 40]);
  assert.ok(u.min().item() >= 0 && u.max().item() < 1 && Math.abs(u.mean().item() - 0.5) < 0.05, 'randLike is uniform in [0, 1)');
}));

test('manualSeed makes draws reproducible', leakFreeTidy(() => {
  manualSeed(42);
  const a = randn([16]).toArray();
  const b = rand([4]).toArray();
  const c = randperm(10).toNumbers();
  manualSeed(42);
  assert.deepEqual(randn([16]).toArray(), a);
  assert.deepEqual(rand([4]).toArray(), b);
  assert.deepEqual(randperm(10).toNumbers(), c);
  manualSeed(43);
  assert.notDeepEqual(randn([16]).toArray(), a);
}));

test('toArray, toNumbers and item convert deliberately', leakFreeTidy(() => {
  assert.ok(tensor([1, 2], { dtype: 'int64' }).toArray() instanceof BigInt64Array);
  assert.deepEqual(tensor([1, 2], { dtype: 'int64' }).toNumbers(), [1, 2]);
  assert.ok(tensor([1], { dtype: 'int32' }).toArray() instanceof Int32Array);
  assert.ok(tensor([true]).toArray() instanceof Uint8Array);
  assert.equal(tensor([[3]], { dtype: 'int64' }).item(), 3);
  assert.equal(tensor([true]).item(), 1);
  assertClose(tensor([0.1], { dtype: 'float64' }).toNumbers(), [0.1]);
  assert.match(tensor([1, 2]).toString(), /Tensor\(\[2\], float32, \[1,2\]\)/);
}));
