import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, tensor } from '../../src/core/index.js';
import { multiLabelLogisticLoss } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';

const S = [[0.3, -1.2, 0.5], [1.1, 0.4, -2.3]];
const Y = [[1, -1, 0], [-1, 1, 1]];
const softplus = (v: number) => Math.log1p(Math.exp(v));

test('mean of log(1 + exp(−y·s)) over the counted (non-difficult) entries', () => {
  scoped(() => {
    let sum = 0;
    let n = 0;
    S.flat().forEach((s, i) => {
      const y = Y.flat()[i]!;
      if (y !== 0) {
        sum += softplus(-y * s);
        n++;
      }
    });
    const s = tensor(S, { dtype: 'float64' });
    assert.ok(Math.abs(multiLabelLogisticLoss(s, tensor(Y)).item() - sum / n) < 1e-15);
    assert.ok(Math.abs(multiLabelLogisticLoss(s, tensor(Y), { reduction: 'sum' }).item() - sum) < 1e-14);
    gradCheck((s) => multiLabelLogisticLoss(s, tensor(Y)), [s]);
  });
});

test('difficult entries: changing their score leaves loss and gradients unchanged', () => {
  scoped(() => {
    const s1 = tensor(S, { dtype: 'float64', requiresGrad: true });
    const s2 = tensor([[0.3, -1.2, 50], [1.1, 0.4, -2.3]], { dtype: 'float64', requiresGrad: true });
    const l1 = multiLabelLogisticLoss(s1, tensor(Y));
    const l2 = multiLabelLogisticLoss(s2, tensor(Y));
    assert.equal(l1.item(), l2.item());
    const [g1] = grad(l1, [s1]);
    const [g2] = grad(l2, [s2]);
    assert.deepEqual(g1!.toNumbers(), g2!.toNumbers());
    assert.ok(g1!.toNumbers()[2] === 0); // ±0
    // Gradient of a counted entry: −y·σ(−y·s) / count.
    assertClose([g1!.toNumbers()[0]!], [-1 / (1 + Math.exp(0.3)) / 5], { atol: 1e-15 });
  });
});

test('stable for large scores; all-difficult gives 0; labels may be integer tensors', () => {
  scoped(() => {
    const big = multiLabelLogisticLoss(tensor([[1000, -1000]]), tensor([[-1, 1]]));
    assert.equal(big.item(), 1000);
    const s = tensor([[1, 2]], { requiresGrad: true });
    const none = multiLabelLogisticLoss(s, tensor([[0, 0]], { dtype: 'int64' }));
    assert.equal(none.item(), 0);
    assert.ok(grad(none, [s])[0]!.toNumbers().every((v) => v === 0));
    assert.equal(multiLabelLogisticLoss(tensor([[0]], { dtype: 'float64' }), tensor([[1]], { dtype: 'int32' })).item(), Math.log(2));
  });
});

test('bad input and leaks', async () => {
  scoped(() => {
    assert.throws(() => multiLabelLogisticLoss(tensor(S), tensor([[1, 2, 0], [1, 1, 1]])), /labels must be \+1 \(present\), −1 \(absent\) or 0/);
    assert.throws(() => multiLabelLogisticLoss(tensor(S), tensor([[1, -1]])), /labels must have the shape of scores \[2, 3\], got \[1, 2\]/);
    assert.throws(() => multiLabelLogisticLoss(tensor([1, 2]), tensor([1, -1])), /scores must be \[batch, classes\] \(rank 2\), got shape \[2\]/);
  });
  await withLeakCheck(() => {
    const s = tensor(S, { requiresGrad: true });
    const y = tensor(Y);
    const loss = multiLabelLogisticLoss(s, y);
    const sum = multiLabelLogisticLoss(s, y, { reduction: 'sum' });
    loss.backward();
    const g = s.grad;
    const bad = tensor([[1, 2, 0], [1, 1, 1]]);
    assert.throws(() => multiLabelLogisticLoss(s, bad), /labels must be/);
    return [s, y, loss, sum, g, bad];
  });
});
