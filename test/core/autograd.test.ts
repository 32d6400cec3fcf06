// Finite-difference checks of autograd through every differentiable op family, and the
// autograd API itself (backward, grad(), noGrad).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cat, enableGrad, grad, isGradEnabled, linear, manualSeed, memory, noGrad, randn, stack, tensor, tidy, where, type Tensor,
} from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';

const f64 = { dtype: 'float64' } as const;
const idx = (v: number[] | number[][]) => tensor(v, { dtype: 'int64' });
/** Standard normal float64 draws (seeded per test for reproducibility). */
const rn = (...shape: number[]) => randn(shape, f64);
/** Positive draws in [0.5, 2.5). */
const pos = (...shape: number[]) => tidy(() => randn(shape, f64).abs().add(0.5).clamp(0.5, 2.5));
/** Distinct values (no ties for max/sort/topk): a shuffled ramp with spacing 0.1 plus noise. */
const distinct = (...shape: number[]) => tidy(() => {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = randn([n], f64).argsort();
  return perm.double().mul(0.1).add(randn([n], f64).mul(0.01)).reshape(shape);
});

describe('gradCheck against finite differences', () => {
  test('elementwise unary', leakFreeTidy(() => {
    manualSeed(1);
    const x = rn(2, 3);
    const p = pos(2, 3);
    for (const f of [
      (a: Tensor) => a.neg(),
      (a: Tensor) => a.abs(),
      (a: Tensor) => a.exp(),
      (a: Tensor) => a.square(),
      (a: Tensor) => a.sigmoid(),
      (a: Tensor) => a.logSigmoid(),
      (a: Tensor) => a.tanh(),
      (a: Tensor) => a.relu(),
      (a: Tensor) => a.clamp(-0.5, 0.5),
      (a: Tensor) => a.pow(3),
      (a: Tensor) => a.mul(2.5).add(1),
      (a: Tensor) => a.maskedFill(a.gt(0), 0),
    ]) gradCheck(f, [x]);
    for (const f of [
      (a: Tensor) => a.log(),
      (a: Tensor) => a.log1p(),
      (a: Tensor) => a.sqrt(),
      (a: Tensor) => a.rsqrt(),
      (a: Tensor) => a.reciprocal(),
      (a: Tensor) => a.pow(0.7),
    ]) gradCheck(f, [p]);
  }));

  test('elementwise binary, with broadcasting', leakFreeTidy(() => {
    manualSeed(2);
    const a = rn(2, 3);
    const b = rn(2, 3);
    const col = rn(2, 1);
    const row = rn(3);
    gradCheck((x, y) => x.add(y, 0.5), [a, b]);
    gradCheck((x, y) => x.sub(y, 2), [a, b]);
    gradCheck((x, y) => x.mul(y), [a, b]);
    gradCheck((x, y) => x.div(y), [a, pos(2, 3)]);
    gradCheck((x, y) => x.pow(y), [pos(2, 3), b]);
    gradCheck((x, y) => x.maximum(y), [a, b]);
    gradCheck((x, y) => x.minimum(y), [a, b]);
    // Gradients of broadcast operands are summed over the broadcast dims.
    gradCheck((x, y) => x.mul(y), [col, row]);
    gradCheck((x, y, z) => x.add(y).div(z), [col, row, pos(2, 3)]);
    gradCheck((x, y) => x.sub(y), [rn(2, 1, 3), rn(4, 1)]);
    gradCheck((x, y, c) => where(c, x, y), [a, col, a.gt(0)]);
    gradCheck((x) => where(x.gt(0), x, 0), [a]);
  }));

  test('reductions with dims and keepdim', leakFreeTidy(() => {
    manualSeed(3);
    const x = rn(2, 3, 2);
    for (const f of [
      (a: Tensor) => a.sum(),
      (a: Tensor) => a.sum(1),
      (a: Tensor) => a.sum([0, 2], true),
      (a: Tensor) => a.mean(),
      (a: Tensor) => a.mean(-1, true),
      (a: Tensor) => a.mean([0, 1]),
      (a: Tensor) => a.prod(1),
      (a: Tensor) => a.std(1),
      (a: Tensor) => a.var([0, 2], true),
      (a: Tensor) => a.cumsum(1),
      (a: Tensor) => a.logsumexp(1),
      (a: Tensor) => a.logsumexp([0, 2], true),
      (a: Tensor) => a.norm(),
      (a: Tensor) => a.norm(2, 1),
      (a: Tensor) => a.norm(1, [0, 2], true),
      (a: Tensor) => a.norm(3, -1),
    ]) gradCheck(f, [x]);
    const d = distinct(2, 3, 2);
    for (const f of [
      (a: Tensor) => a.max(),
      (a: Tensor) => a.min(),
      (a: Tensor) => a.max(1),
      (a: Tensor) => a.min([0, 2], true),
      (a: Tensor) => a.maxWithIndices(2).values,
      (a: Tensor) => a.minWithIndices(0, true).values,
      (a: Tensor) => a.norm(Infinity, 1),
    ]) gradCheck(f, [d]);
  }));

  test('matmul, mm, bmm, dot, linear', leakFreeTidy(() => {
    manualSeed(4);
    gradCheck((a, b) => a.matmul(b), [rn(2, 3), rn(3, 4)]);
    gradCheck((a, b) => a.mm(b), [rn(3, 2), rn(2, 2)]);
    gradCheck((a, b) => a.matmul(b), [rn(2, 2, 3), rn(3, 2)]); // broadcast batch
    gradCheck((a, b) => a.matmul(b), [rn(2, 1, 2, 3), rn(3, 3, 2)]);
    gradCheck((a, b) => a.bmm(b), [rn(2, 2, 3), rn(2, 3, 2)]);
    gradCheck((a, b) => a.matmul(b), [rn(2, 3), rn(3)]);
    gradCheck((a, b) => a.dot(b), [rn(4), rn(4)]);
    gradCheck((x, w, b) => linear(x, w, b), [rn(2, 3), rn(4, 3), rn(4)]);
    gradCheck((a) => a.matmul(a.t()), [rn(3, 2)]);
  }));

  test('views and reshapes', leakFreeTidy(() => {
    manualSeed(5);
    const x = rn(2, 3, 4);
    for (const f of [
      (a: Tensor) => a.reshape([6, 4]),
      (a: Tensor) => a.view([4, -1]),
      (a: Tensor) => a.permute([2, 0, 1]),
      (a: Tensor) => a.transpose(0, 2),
      (a: Tensor) => a.transpose(1, 2).contiguous().view([24]),
      (a: Tensor) => a.slice(2, 1, null, 2),
      (a: Tensor) => a.slice(1, -2),
      (a: Tensor) => a.narrow(2, 1, 2),
      (a: Tensor) => a.select(1, 2),
      (a: Tensor) => a.unsqueeze(1).squeeze(1),
      (a: Tensor) => a.narrow(0, 0, 1).squeeze(0),
      (a: Tensor) => a.flatten(1),
      (a: Tensor) => a.flip([0, 2]),
      (a: Tensor) => a.select(0, 0).repeat([2, 1]),
      (a: Tensor) => a.clone(),
      (a: Tensor) => cat(a.split(3, 2).reverse(), 2),
      (a: Tensor) => a.chunk(3, 1)[1]!,
    ]) gradCheck(f, [x]);
    // expand: the gradient sums over the expanded dims.
    gradCheck((a) => a.expand([3, 2, 4]), [rn(2, 1)]);
    gradCheck((a, b) => a.expandAs(b).mul(b), [rn(1, 3), rn(2, 3)]);
    // A view written to in place after cloning.
    gradCheck((a) => {
      const c = a.clone();
      c.select(0, 1).mul_(3);
      return c;
    }, [rn(3, 2)]);
  }));

  test('topk, sort, gather, scatter, scatterAdd, indexSelect', leakFreeTidy(() => {
    manualSeed(6);
    const d = distinct(3, 5);
    gradCheck((a) => a.topk(2).values, [d]);
    gradCheck((a) => a.topk(2, 0, false).values, [d]);
    gradCheck((a) => a.sort().values, [d]);
    gradCheck((a) => a.sort(0, true).values, [d]);
    const x = rn(3, 4);
    gradCheck((a, i) => a.gather(1, i), [x, idx([[3, 0], [1, 1], [2, 0]])]);
    gradCheck((a) => a.gather(0, idx([[2, 0, 1, 1]])), [x]);
    gradCheck((a, s) => a.scatter(1, idx([[0, 2], [1, 3], [3, 0]]), s), [x, rn(3, 2)]);
    gradCheck((a) => a.scatter(0, idx([[1, 0, 2, 1]]), 0), [x]);
    gradCheck((a, s) => a.scatterAdd(1, idx([[0, 0], [3, 3], [1, 1]]), s), [x, rn(3, 2)]);
    gradCheck((a) => a.indexSelect(0, idx([2, 0, 2])), [x]);
    gradCheck((a) => a.indexSelect(1, idx([3, 1])), [x]);
  }));

  test('cat and stack', leakFreeTidy(() => {
    manualSeed(7);
    gradCheck((a, b) => cat([a, b]), [rn(2, 3), rn(1, 3)]);
    gradCheck((a, b) => cat([a, b, a], 1), [rn(2, 1), rn(2, 3)]);
    gradCheck((a, b) => stack([a, b]), [rn(2, 3), rn(2, 3)]);
    gradCheck((a, b) => stack([a, b], -1), [rn(2, 3), rn(2, 3)]);
  }));

  test('a composite: softmax cross-entropy-like loss', leakFreeTidy(() => {
    manualSeed(8);
    gradCheck((logits, w) => {
      const z = logits.matmul(w);
      return z.sub(z.logsumexp(1, true)).gather(1, idx([[1], [0], [2]])).mean().neg();
    }, [rn(3, 4), rn(4, 3)]);
  }));
});

describe('gradCheck itself', () => {
  test('detects a wrong gradient', leakFreeTidy(() => {
    // x * detach(x): autograd sees x, finite differences see 2x.
    assert.throws(() => gradCheck((a) => a.mul(a.detach()), [tensor([1, 2, 3], f64)]), {
      name: 'AssertionError',
      message: /3 gradient element\(s\) disagree[\s\S]*input 0 \[0\]: autograd -?[\d.]+, finite difference -?[\d.]+ \(\|diff\|/,
    });
  }));

  test('rejects float32 inputs and outputs that do not require grad', leakFreeTidy(() => {
    assert.throws(() => gradCheck((a) => a.exp(), [tensor([1, 2])]), { name: 'TypeError', message: /float64/ });
    assert.throws(() => gradCheck((a) => a.float(), [tensor([1, 2], f64)]), { name: 'TypeError', message: /float64/ });
    assert.throws(() => gradCheck((a) => a.detach(), [tensor([1, 2], f64)]), { name: 'AssertionError', message: /does not require grad/ });
  }));

  test('does not modify its inputs and leaks nothing, also on failure', async () => {
    const x = tensor([0.5, -1.5], f64);
    const before = memory().tensors;
    gradCheck((a) => a.exp().sum(), [x]);
    assert.throws(() => gradCheck((a) => a.mul(a.detach()), [x]));
    assert.equal(memory().tensors, before);
    assertTensor(x, [0.5, -1.5]);
    assert.equal(x.requiresGrad, false);
    x.dispose();
  });

  test('an input the output does not use gets zero gradient', leakFreeTidy(() => {
    gradCheck((a, _b) => a.exp(), [tensor([1, 2], f64), tensor([3], f64)]);
  }));
});

describe('autograd API', () => {
  test('backward accumulates into .grad of leaves; setting null clears it', leakFreeTidy(() => {
    const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
    assert.equal(x.grad, null);
    x.mul(x).sum().backward();
    assertTensor(x.grad!, [2, 4, 6]);
    x.mul(3).sum().backward();
    assertTensor(x.grad!, [5, 7, 9]);
    x.grad = null;
    assert.equal(x.grad, null);
    x.sum().backward();
    assertTensor(x.grad!, [1, 1, 1]);
    x.grad = tensor([0, 0, 0], f64);
    assertTensor(x.grad!, [0, 0, 0]);
  }));

  test('backward of a non-scalar takes a gradient; retainGraph allows a second pass', leakFreeTidy(() => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(x);
    y.backward(tensor([1, 10], f64), { retainGraph: true });
    assertTensor(x.grad!, [2, 40]);
    y.backward(tensor([1, 0], f64));
    assertTensor(x.grad!, [4, 40]);
    assert.throws(() => y.backward(tensor([1, 0], f64)), /backward/);
  }));

  test('grad() returns gradients without touching .grad', leakFreeTidy(() => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const w = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const unused = tensor([5], { dtype: 'float64', requiresGrad: true });
    const y = x.mul(w).sum();
    const [gx, gw, gu] = grad(y, [x, w, unused], { allowUnused: true, retainGraph: true });
    assertTensor(gx!, [3, 4]);
    assertTensor(gw!, [1, 2]);
    assert.equal(gu, null);
    assert.equal(x.grad, null);
    assert.throws(() => grad(y, [x, unused]), /autograd\.grad/);
    const z = x.mul(w);
    const [g] = grad(z, [x], { gradOutputs: [tensor([1, -1], f64)] });
    assertTensor(g!, [3, -4]);
    const [h1, h2] = grad([x.sum(), w.mul(2).sum()], [x, w]);
    assertTensor(h1!, [1, 1]);
    assertTensor(h2!, [2, 2]);
  }));

  test('grad() results are tracked by tidy and leak nothing', async () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    await withLeakCheck(() => tidy(() => grad(x.exp().sum(), [x])));
    await withLeakCheck(() => tidy(() => {
      x.square().sum().backward();
      return x.grad;
    }));
    await withLeakCheck(() => x.grad);
    x.dispose();
  });

  test('noGrad records nothing, enableGrad re-enables, both restore the mode even on throw', leakFreeTidy(() => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    assert.equal(isGradEnabled(), true);
    const y = noGrad(() => {
      assert.equal(isGradEnabled(), false);
      const inner = enableGrad(() => x.mul(2));
      assert.equal(inner.requiresGrad, true);
      assert.equal(isGradEnabled(), false);
      return x.mul(2);
    });
    assert.equal(y.requiresGrad, false);
    assert.equal(isGradEnabled(), true);
    assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.equal(isGradEnabled(), true);
  }));

  test('requiresGrad, isLeaf and detach', leakFreeTidy(() => {
    const x = tensor([1, 2], f64);
    assert.equal(x.requiresGrad, false);
    x.requiresGrad = true;
    assert.equal(x.requiresGrad, true);
    const y = x.mul(2);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.isLeaf, false);
    assert.equal(x.isLeaf, true);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    // Integer results of differentiable inputs do not require grad.
    assert.equal(x.argmax().requiresGrad, false);
    assert.equal(x.gt(1).requiresGrad, false);
    assert.throws(() => tensor([1], { dtype: 'int32', requiresGrad: true }), /floating point/);
  }));
});
