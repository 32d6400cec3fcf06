import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, manualSeed, tensor } from '../../src/core/index.js';
import { logMeanExp, lsePool } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';
import { tieFreeMaps } from './maps.js';

test('finite differences agree with autograd', () => {
  scoped(() => {
    manualSeed(21);
    const x = tieFreeMaps([2, 3, 3, 4], 0.1);
    for (const r of [0.3, 1, 5, 20, -2]) gradCheck((x) => lsePool(x, { r }), [x]);
  });
});

test('definition: (1/r)·log(mean(exp(r·z))) on a small map', () => {
  scoped(() => {
    const z = [0.5, -1, 2, 0.25];
    const x = tensor(Float64Array.from(z), { shape: [1, 1, 2, 2] });
    for (const r of [0.5, 1, 3, -4]) {
      const want = Math.log(z.reduce((a, v) => a + Math.exp(r * v), 0) / z.length) / r;
      assertClose(lsePool(x, { r }).toArray() as Float64Array, [want], { atol: 1e-14 });
    }
  });
});

test('limits: r → 0 gives the mean, r large gives the max, r = 0 / ±Infinity exactly', () => {
  scoped(() => {
    manualSeed(22);
    const x = tieFreeMaps([2, 3, 4, 4], 0.1);
    const mean = x.mean([2, 3]).toArray() as Float64Array;
    const max = x.max([2, 3]).toArray() as Float64Array;
    const min = x.min([2, 3]).toArray() as Float64Array;
    assertClose(lsePool(x, { r: 1e-6 }).toArray() as Float64Array, mean, { atol: 1e-5 });
    assertClose(lsePool(x, { r: 0 }).toArray() as Float64Array, mean, { atol: 1e-15 });
    // (1/r) log(1/n) ≤ offset ≤ 0 for a single maximum: |error| ≤ log(16)/r.
    assertClose(lsePool(x, { r: 1e4 }).toArray() as Float64Array, max, { atol: Math.log(16) / 1e4 + 1e-12 });
    assertClose(lsePool(x, { r: Infinity }).toArray() as Float64Array, max);
    assertClose(lsePool(x, { r: -Infinity }).toArray() as Float64Array, min);
    assertClose(lsePool(x, { r: -1e4 }).toArray() as Float64Array, min, { atol: Math.log(16) / 1e4 + 1e-12 });
  });
});

test('stable in float32: huge maps and r do not overflow, tiny r keeps the mean exactly', () => {
  scoped(() => {
    const x = tensor([[[[1000, -1000], [500, 0]]]]);
    assert.deepEqual(lsePool(x, { r: 50 }).toNumbers().map((v) => +v.toFixed(2)), [1000 + Math.log(1 / 4) / 50].map((v) => +v.toFixed(2)));
    const small = tensor([[[[0.3, -0.2], [0.1, 0.6]]]]);
    // logsumexp − log n would lose ~0.3 here in float32; expm1/log1p keep ~1e-7.
    assertClose(lsePool(small, { r: 1e-6 }).toNumbers(), [0.2], { atol: 1e-6 });
    const g = grad(lsePool(small.requiresGrad_(true), { r: 1e-6 }), [small])[0]!;
    assertClose(g.toNumbers(), [0.25, 0.25, 0.25, 0.25], { atol: 1e-6 });
    assert.equal(lsePool(x, { r: 1e38 }).isfinite().all().item(), 1);
  });
});

test('gradient is the softmax of r·z', () => {
  scoped(() => {
    const z = [0.5, -1, 2, 0.25];
    const x = tensor(Float64Array.from(z), { shape: [1, 1, 2, 2], requiresGrad: true });
    const [g] = grad(lsePool(x, { r: 2 }), [x]);
    const e = z.map((v) => Math.exp(2 * v));
    const s = e.reduce((a, b) => a + b, 0);
    assertClose(g!.toArray() as Float64Array, e.map((v) => v / s), { atol: 1e-14 });
  });
});

test('logMeanExp works along the last dim of any rank', () => {
  scoped(() => {
    const z = tensor([[1, 2, 3], [0, 0, 0]], { dtype: 'float64' });
    assertClose(logMeanExp(z, 0).toArray() as Float64Array, [2, 0]);
    assertClose(logMeanExp(z, Infinity).toArray() as Float64Array, [3, 0]);
  });
});

test('bad input and leaks', async () => {
  scoped(() => {
    assert.throws(() => lsePool(tensor([1, 2]), { r: 1 }), /lsePool: x must be class maps .* got shape \[2\]/);
    assert.throws(() => lsePool(tensor([[[[1]]]]), { r: NaN }), /lsePool: r must be a number/);
  });
  await withLeakCheck(() => {
    const x = tieFreeMaps([2, 2, 3, 3]).requiresGrad_(true);
    const ys = [lsePool(x, { r: 3 }), lsePool(x, { r: 0 }), lsePool(x, { r: Infinity }), lsePool(x, { r: -Infinity })];
    const total = ys[0]!.sum();
    const [g] = grad(total, [x]);
    assert.throws(() => lsePool(x, { r: NaN }), /r must be a number/);
    return [x, ys, total, g];
  });
});
