import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, tensor, zeros } from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { assertTensor } from '../helpers/assertTensor.js';

test('in-place arithmetic returns the same Tensor and updates it', leakFreeTidy(() => {
  const a = tensor([1, 2, 3]);
  assert.equal(a.add_(1), a);
  assertTensor(a, [2, 3, 4]);
  assert.equal(a.add_(tensor([1, 1, 1]), 2), a);
  assertTensor(a, [4, 5, 6]);
  a.sub_(1);
  assertTensor(a, [3, 4, 5]);
  a.sub_(tensor([1, 2, 3]), 0.5);
  assertTensor(a, [2.5, 3, 3.5]);
  a.mul_(2);
  assertTensor(a, [5, 6, 7]);
  a.mul_(tensor([1, 0, -1]));
  assertTensor(a, [5, 0, -7]);
  a.div_(tensor([5, 1, 7]));
  assertTensor(a, [1, 0, -1]);
  a.div_(4);
  assertTensor(a, [0.25, 0, -0.25]);
}));

test('addcmul_, addcdiv_, lerp_, copy_, zero_, fill_, clamp_, sqrt_', leakFreeTidy(() => {
  const a = tensor([1, 1]);
  a.addcmul_(tensor([2, 3]), tensor([4, 5]), 0.5);
  assertTensor(a, [5, 8.5]);
  a.addcdiv_(tensor([6, 9]), tensor([2, 3]));
  assertTensor(a, [8, 11.5]);
  a.lerp_(tensor([0, 1.5]), 0.5);
  assertTensor(a, [4, 6.5]);
  a.copy_(tensor([9, 16], { dtype: 'float64' }));
  assertTensor(a, [9, 16], { dtype: 'float32' });
  a.sqrt_();
  assertTensor(a, [3, 4]);
  a.clamp_(3.5, null);
  assertTensor(a, [3.5, 4]);
  a.clamp_(null, 3.75);
  assertTensor(a, [3.5, 3.75]);
  a.fill_(2);
  assertTensor(a, [2, 2]);
  a.zero_();
  assertTensor(a, [0, 0]);
  // broadcast source
  const b = zeros([2, 2]);
  b.copy_(tensor([1, 2]));
  assertTensor(b, [[1, 2], [1, 2]]);
}));

test('uniform_ and normal_ fill in place from the seeded generator', leakFreeTidy(() => {
  manualSeed(7);
  const u = zeros([1000]).uniform_(2, 3);
  assert.ok(u.min().item() >= 2 && u.max().item() < 3);
  const n = zeros([2000], { dtype: 'float64' }).normal_(5, 0.5);
  assert.ok(Math.abs(n.mean().item() - 5) < 0.05);
  assert.ok(Math.abs(n.std().item() - 0.5) < 0.05);
  manualSeed(7);
  assert.deepEqual(zeros([1000]).uniform_(2, 3).toArray(), u.toArray());
}));

test('in-place ops create no extra handles', async () => {
  const a = tensor([1, 2]);
  const b = tensor([3, 4]);
  await withLeakCheck(() => {
    a.add_(b).mul_(2).sub_(1).clamp_(0, 100).fill_(3).zero_();
  });
  a.dispose();
  b.dispose();
});

test('in-place update of a parameter under noGrad (optimizer step)', leakFreeTidy(() => {
  const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
  assert.throws(() => w.add_(1), /aten::add_.*leaf Variable/s);
  noGrad(() => w.sub_(tensor([0.5, 0.5], { dtype: 'float64' }), 0.1));
  assertTensor(w, [0.95, 1.95], { atol: 1e-12 });
  assert.equal(w.requiresGrad, true);
  assert.equal(w.isLeaf, true);
}));
