import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, manualSeed, tensor, type Tensor } from '../../src/core/index.js';
import { generalizedPool, mantraPool, wildcatPool } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';
import { tieFreeMaps } from './maps.js';

const arr = (t: Tensor) => t.toArray() as Float64Array;
const M = (z: number[], b: number) => Math.log(z.reduce((a, v) => a + Math.exp(b * v), 0) / z.length) / b;

test('TPAMI eq. 8 as written, with its 1/2 factors', () => {
  scoped(() => {
    const z = [0.5, -1, 2, 0.25, 1.5, -0.75];
    const x = tensor(Float64Array.from(z), { shape: [1, 1, 2, 3] });
    for (const [bp, bn, alpha] of [[2, -3, 0.7], [0.5, -0.5, 1], [4, 1, -0.5]] as const) {
      const want = M(z, bp) / 2 + (alpha * M(z, bn)) / 2;
      assertClose(arr(generalizedPool(x, { betaPos: bp, betaNeg: bn, alpha })), [want], { atol: 1e-14 });
    }
  });
});

test('finite differences agree with autograd', () => {
  scoped(() => {
    manualSeed(31);
    const x = tieFreeMaps([2, 3, 3, 3], 0.1);
    for (const [bp, bn, alpha] of [[3, -3, 1], [0.2, -8, 0.7], [10, 0, 0.5], [0, -Infinity, 1]]) {
      gradCheck((x) => generalizedPool(x, { betaPos: bp!, betaNeg: bn!, alpha }), [x]);
    }
  });
});

test('limits: β⁺ → +∞ gives max/2, β → 0 gives mean/2, β⁻ → −∞ gives α·min/2', () => {
  scoped(() => {
    manualSeed(32);
    const x = tieFreeMaps([2, 3, 4, 5], 0.1);
    const n = 20;
    const max = arr(x.max([2, 3]));
    const min = arr(x.min([2, 3]));
    const mean = arr(x.mean([2, 3]));
    const a = 0.7;
    const pool = (betaPos: number, betaNeg: number) => arr(generalizedPool(x, { betaPos, betaNeg, alpha: a }));
    const combo = (p: Float64Array, q: Float64Array) => p.map((v, i) => v / 2 + (a * q[i]!) / 2);
    // Exact limits.
    assertClose(pool(Infinity, -Infinity), combo(max, min), { atol: 1e-15 });
    assertClose(pool(0, 0), combo(mean, mean), { atol: 1e-15 });
    assertClose(pool(Infinity, 0), combo(max, mean), { atol: 1e-15 });
    assertClose(pool(0, -Infinity), combo(mean, min), { atol: 1e-15 });
    // Numerically close to them.
    const far = Math.log(n) / 1e4; // |M(β) − max| ≤ log(n)/β
    assertClose(pool(1e4, -1e4), combo(max, min), { atol: far });
    assertClose(pool(1e-6, -1e-6), combo(mean, mean), { atol: 1e-6 });
    assertClose(pool(1e4, 1e-6), combo(max, mean), { atol: far });
    // (+∞, −∞) with α = 1 is halved MANTRA, i.e. WILDCAT k = 1 with the official halving.
    assertClose(arr(generalizedPool(x, { betaPos: Infinity, betaNeg: -Infinity, alpha: 1 })), arr(mantraPool(x, { halve: true })), { atol: 1e-15 });
    assertClose(arr(generalizedPool(x, { betaPos: Infinity, betaNeg: -Infinity, alpha: a })), arr(wildcatPool(x, { kmax: 1, kmin: 1, alpha: a, halve: true })), { atol: 1e-15 });
  });
});

test('no NaN or overflow at β = 0, ±Infinity and huge |β|, also in float32 and for gradients', () => {
  scoped(() => {
    manualSeed(33);
    for (const dtype of ['float64', 'float32'] as const) {
      const x = tieFreeMaps([2, 2, 3, 3], 50).to(dtype).requiresGrad_(true); // values up to ±400
      for (const [bp, bn] of [[0, 0], [Infinity, -Infinity], [1e4, -1e4], [1e29, -1e29], [1e300, -1e300], [1e-20, -1e-20], [-Infinity, Infinity]]) {
        const y = generalizedPool(x, { betaPos: bp!, betaNeg: bn!, alpha: 0.7 });
        assert.equal(y.isfinite().all().item(), 1, `${dtype} β = (${bp}, ${bn}) output finite`);
        const [g] = grad(y.sum(), [x]);
        assert.equal(g!.isfinite().all().item(), 1, `${dtype} β = (${bp}, ${bn}) gradient finite`);
        // Each map's gradient sums to (1 + α)/2: both terms are weighted averages.
        const sums = arr(g!.sum([2, 3]).double());
        assertClose(sums, new Float64Array(4).fill(0.85), { atol: dtype === 'float64' ? 1e-12 : 1e-5 });
      }
    }
  });
});

test('alpha = 0 drops the negative term; bad input and leaks', async () => {
  scoped(() => {
    manualSeed(34);
    const x = tieFreeMaps([1, 2, 3, 3]);
    assertClose(arr(generalizedPool(x, { betaPos: Infinity, betaNeg: -1, alpha: 0 })), arr(x.max([2, 3])).map((v) => v / 2));
    assert.throws(() => generalizedPool(x, { betaPos: NaN, betaNeg: -1 }), /generalizedPool: betaPos must be a number .* got NaN \(x shape \[1, 2, 3, 3\]\)/);
    assert.throws(() => generalizedPool(x, { betaPos: 1, betaNeg: -1, alpha: Infinity }), /alpha must be a finite number/);
    assert.throws(() => generalizedPool(x.reshape([2, 9]), { betaPos: 1, betaNeg: -1 }), /rank 4\), got shape \[2, 9\]/);
  });
  await withLeakCheck(() => {
    const x = tieFreeMaps([2, 2, 3, 3]).requiresGrad_(true);
    const y = generalizedPool(x, { betaPos: 5, betaNeg: -Infinity, alpha: 0.7 });
    const y2 = generalizedPool(x, { betaPos: 0, betaNeg: 1e-3, alpha: 0 });
    const total = y.sum();
    const [g] = grad(total, [x]);
    assert.throws(() => generalizedPool(x, { betaPos: NaN, betaNeg: -1 }), /betaPos must be a number/);
    return [x, y, y2, total, g];
  });
});
