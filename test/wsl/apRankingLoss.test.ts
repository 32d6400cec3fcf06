import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, tensor } from '../../src/core/index.js';
import { apLossAugmentedInference, apRankingLoss } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { rng } from './maps.js';
import { scoped } from './scoped.js';

// 5 images × 4 classes. Class 2 has no positive, class 3 no negative: they contribute nothing.
const S = [
  [0.3, -1.2, 0.5, 2.0],
  [1.1, 0.4, -0.3, 0.1],
  [-0.7, 0.9, 0.2, -0.4],
  [0.05, -0.1, 1.3, 0.8],
  [0.6, 0.35, -0.9, 1.7],
];
const Y = [
  [1, -1, -1, 1],
  [-1, 1, -1, 1],
  [1, 0, -1, 0],
  [-1, -1, 0, 1],
  [0, 1, -1, 1],
];

/** The per-class inference by hand: loss and d(loss)/d(scores) for the mean over classes. */
function byHand(s: number[][], y: number[][]) {
  const B = s.length;
  const C = s[0]!.length;
  const losses: number[] = [];
  const coef = s.map((row) => row.map(() => 0));
  const used: number[] = [];
  for (let c = 0; c < C; c++) {
    const pos = [...Array(B).keys()].filter((i) => y[i]![c] === 1);
    const neg = [...Array(B).keys()].filter((i) => y[i]![c] === -1);
    if (pos.length === 0 || neg.length === 0) continue;
    const r = apLossAugmentedInference(pos.map((i) => s[i]![c]!), neg.map((i) => s[i]![c]!));
    losses.push(r.loss);
    used.push(c);
    pos.forEach((i, k) => (coef[i]![c] = r.gradPos[k]!));
    neg.forEach((i, k) => (coef[i]![c] = r.gradNeg[k]!));
  }
  const m = losses.length;
  return { mean: losses.reduce((a, b) => a + b, 0) / m, sum: losses.reduce((a, b) => a + b, 0), grad: coef.flat().map((g) => g / m), used };
}

test('mean over the classes that have positives and negatives; gradient = ψ coefficients', () => {
  scoped(() => {
    const want = byHand(S, Y);
    assert.deepEqual(want.used, [0, 1]);
    const s = tensor(S, { dtype: 'float64', requiresGrad: true });
    const loss = apRankingLoss(s, tensor(Y));
    assert.deepEqual(loss.shape, []);
    assert.ok(Math.abs(loss.item() - want.mean) < 1e-14);
    const [g] = grad(loss, [s]);
    assertClose(g!.toArray() as Float64Array, want.grad, { atol: 1e-15 });
    const sum = apRankingLoss(s, tensor(Y), { reduction: 'sum' });
    assert.ok(Math.abs(sum.item() - want.sum) < 1e-14);
  });
});

test('finite differences (generic scores: ỹ is locally constant, the loss linear)', () => {
  scoped(() => {
    const r = rng(4);
    const B = 8;
    const C = 3;
    const s = tensor(Float64Array.from({ length: B * C }, () => r() * 2 - 1), { shape: [B, C] });
    const y = tensor(Float64Array.from({ length: B * C }, (_, i) => [1, -1, -1, 0, 1][(i * 7) % 5]!), { shape: [B, C] });
    gradCheck((s) => apRankingLoss(s, y), [s]);
  });
});

test('difficult (0) entries are left out: their scores change nothing', () => {
  scoped(() => {
    const s1 = tensor(S, { dtype: 'float64', requiresGrad: true });
    const S2 = S.map((row, i) => row.map((v, c) => (Y[i]![c] === 0 ? v + 10 * (i + 1) : v)));
    const s2 = tensor(S2, { dtype: 'float64', requiresGrad: true });
    const l1 = apRankingLoss(s1, tensor(Y));
    const l2 = apRankingLoss(s2, tensor(Y));
    assert.equal(l1.item(), l2.item());
    const [g1] = grad(l1, [s1]);
    const [g2] = grad(l2, [s2]);
    assert.deepEqual(g1!.toNumbers(), g2!.toNumbers());
    const gv = g1!.toNumbers();
    Y.flat().forEach((v, i) => v === 0 && assert.equal(gv[i], 0));
  });
});

test('upper bound on 1 − AP per class, on random batches', () => {
  scoped(() => {
    const r = rng(8);
    for (let t = 0; t < 30; t++) {
      const B = 16;
      const sv = Array.from({ length: B }, () => r() * 4 - 2);
      const yv = Array.from({ length: B }, (_, i) => (i < 2 ? [1, -1][i]! : r() < 0.3 ? 1 : -1));
      const loss = apRankingLoss(tensor(Float64Array.from(sv), { shape: [B, 1] }), tensor(yv, { shape: [B, 1] })).item();
      const order = sv.map((s, i) => [s, yv[i]!] as const).sort((a, b) => b[0] - a[0]);
      let hits = 0;
      let ap = 0;
      order.forEach(([, y], i) => y === 1 && (ap += ++hits / (i + 1)));
      ap /= hits;
      assert.ok(loss >= 1 - ap - 1e-12, `loss ${loss} < 1 − AP ${1 - ap}`);
    }
  });
});

test('no class with both positives and negatives: zero loss, zero gradient; float32 scores', () => {
  scoped(() => {
    const s = tensor([[0.5, 1], [2, -1]], { requiresGrad: true });
    const loss = apRankingLoss(s, tensor([[1, -1], [1, 0]]));
    assert.equal(loss.item(), 0);
    assert.deepEqual(grad(loss, [s])[0]!.toNumbers(), [0, 0, 0, 0]);
    const l32 = apRankingLoss(tensor(S, { requiresGrad: true }), tensor(Y, { dtype: 'int64' }));
    assert.equal(l32.dtype, 'float32');
    assert.ok(Math.abs(l32.item() - byHand(S, Y).mean) < 1e-6);
  });
});

test('bad input and leaks', async () => {
  scoped(() => {
    const s = tensor(S);
    assert.throws(() => apRankingLoss(s, tensor([[1, -1]])), /apRankingLoss: labels must have the shape of scores \[5, 4\], got \[1, 2\]/);
    assert.throws(() => apRankingLoss(s, tensor(Y.map((r) => r.map((v) => (v === 0 ? 2 : v))))), /labels must be \+1 \(present\), −1 \(absent\) or 0 \(difficult, left out\)/);
    assert.throws(() => apRankingLoss(s.reshape([20]), tensor(Y).reshape([20])), /scores must be \[batch, classes\] \(rank 2\), got shape \[20\]/);
    assert.throws(() => apRankingLoss(s, tensor(Y), { reduction: 'none' as 'sum' }), { name: 'RangeError', message: /^Expected one of 'mean', 'sum' for option reduction of apRankingLoss\(\) but received 'none'$/ });
  });
  await withLeakCheck(() => {
    const s = tensor(S, { dtype: 'float64', requiresGrad: true });
    const y = tensor(Y);
    const loss = apRankingLoss(s, y);
    const allPositive = tensor(new Float32Array(20).fill(1), { shape: [5, 4] });
    const none = apRankingLoss(s, allPositive);
    loss.backward();
    const g = s.grad;
    const small = tensor([[1, -1]]);
    assert.throws(() => apRankingLoss(s, small), /shape of scores/);
    const bad = tensor(Y.map((r) => r.map(() => 3)));
    assert.throws(() => apRankingLoss(s, bad), /labels must be/);
    return [s, y, allPositive, loss, none, g, small, bad];
  });
});
