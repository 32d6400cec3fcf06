import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, tensor } from '../../src/core/index.js';
import { multiClassSoftmaxLoss } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';

const S = [[0.3, -1.2, 0.5], [1.1, 0.4, -2.3]];
const T = [2, 0];

function byHand() {
  let loss = 0;
  const g: number[] = [];
  S.forEach((row, b) => {
    const m = Math.max(...row);
    const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
    loss += m + Math.log(z) - row[T[b]!]!;
    row.forEach((v, c) => g.push((Math.exp(v - m) / z - (c === T[b] ? 1 : 0)) / S.length));
  });
  return { loss: loss / S.length, g };
}

test('mean cross-entropy and its gradient (softmax − one-hot) / B; array or int64 targets', () => {
  scoped(() => {
    const want = byHand();
    const s = tensor(S, { dtype: 'float64', requiresGrad: true });
    const loss = multiClassSoftmaxLoss(s, T);
    assert.ok(Math.abs(loss.item() - want.loss) < 1e-15);
    assertClose(grad(loss, [s])[0]!.toArray() as Float64Array, want.g, { atol: 1e-15 });
    assert.ok(Math.abs(multiClassSoftmaxLoss(s, tensor(T, { dtype: 'int64' })).item() - want.loss) < 1e-15);
    assert.ok(Math.abs(multiClassSoftmaxLoss(s, T, { reduction: 'sum' }).item() - 2 * want.loss) < 1e-14);
    gradCheck((s) => multiClassSoftmaxLoss(s, T), [s]);
    assert.equal(multiClassSoftmaxLoss(tensor([[1000, -1000]]), [1]).item(), 2000);
  });
});

test('bad input and leaks', async () => {
  scoped(() => {
    const s = tensor(S);
    assert.throws(() => multiClassSoftmaxLoss(s, [2, 3]), /targets\[1\] = 3 is not a class index in \[0, 3\) \(scores shape \[2, 3\]\)/);
    assert.throws(() => multiClassSoftmaxLoss(s, [0.5, 1]), /targets\[0\] = 0.5 is not a class index/);
    assert.throws(() => multiClassSoftmaxLoss(s, [1]), /targets has 1 entries but scores has batch 2/);
    assert.throws(() => multiClassSoftmaxLoss(s, tensor([[1, 2]], { dtype: 'int64' })), /targets must be class indices \[batch\] \(rank 1\), got shape \[1, 2\]/);
    assert.throws(() => multiClassSoftmaxLoss(tensor([1, 2]), [0]), /scores must be \[batch, classes\] \(rank 2\), got shape \[2\]/);
  });
  await withLeakCheck(() => {
    const s = tensor(S, { requiresGrad: true });
    const t = tensor(T, { dtype: 'int64' });
    const loss = multiClassSoftmaxLoss(s, t);
    loss.backward();
    const g = s.grad;
    assert.throws(() => multiClassSoftmaxLoss(s, [5, 0]), /not a class index/);
    return [s, t, loss, g];
  });
});
