// Functional ops and losses: values against PyTorch (reference.ts) and gradients against
// finite differences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, tensor, zeros, type Tensor } from '../../src/core/index.js';
import { functional as F } from '../../src/nn/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/assertTensor.js';
import { REF } from './reference.js';
import { seq } from './inputs.js';

const close = (t: Tensor, key: string, atol = 1e-12): void => assertClose(t.toNumbers(), REF[key] as number[], { atol });
const closeScalar = (t: Tensor, key: string, atol = 1e-12): void => assertClose([t.item()], [REF[key] as number], { atol });
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });

test('interpolate: bilinear (alignCorners false/true, size, scale) and nearest match PyTorch', leakFreeTidy(() => {
  const x = seq([1, 1, 3, 4], 5, 1, 7, 0.5);
  const cases: [F.InterpolateOptions, string, number[]][] = [
    [{ size: [5, 6], mode: 'bilinear' }, 'bilinear_5x6', [1, 1, 5, 6]],
    [{ size: [5, 6], mode: 'bilinear', alignCorners: true }, 'bilinear_5x6_ac', [1, 1, 5, 6]],
    [{ scaleFactor: 2, mode: 'bilinear' }, 'bilinear_scale2', [1, 1, 6, 8]],
    [{ scaleFactor: 1.5, mode: 'bilinear' }, 'bilinear_scale1.5', [1, 1, 4, 6]],
    [{ size: [6, 8] }, 'nearest_6x8', [1, 1, 6, 8]],
    [{ size: [5, 7], mode: 'nearest' }, 'nearest_5x7', [1, 1, 5, 7]],
  ];
  for (const [opts, key, shape] of cases) {
    const y = F.interpolate(x, opts);
    assert.deepEqual(y.shape, shape, key);
    close(y, key);
  }
  assert.throws(() => F.interpolate(x, {}), /exactly one of size and scaleFactor/);
  assert.throws(() => F.interpolate(x, { size: 4, mode: 'nearest', alignCorners: true }), /alignCorners only applies/);
  assert.throws(() => F.interpolate(x.squeeze(0), { size: 4 }), /expected a \[N, C, H, W\] input, got \[1, 3, 4\]/);
}));

test('interpolate gradients match finite differences', leakFreeTidy(() => {
  manualSeed(11);
  const x = f64([1, 2, 3, 4]);
  gradCheck((t) => F.interpolate(t, { size: [5, 7], mode: 'bilinear' }), [x]);
  gradCheck((t) => F.interpolate(t, { size: [5, 7], mode: 'bilinear', alignCorners: true }), [x]);
  gradCheck((t) => F.interpolate(t, { scaleFactor: 1.5, mode: 'bilinear' }), [x]);
  gradCheck((t) => F.interpolate(t, { size: [6, 9], mode: 'nearest' }), [x]);
}));

test('softmax / logSoftmax match PyTorch and are differentiable', leakFreeTidy(() => {
  const x = seq([2, 5], 3, 1, 7, 0.7);
  close(F.softmax(x, 1), 'softmax1');
  close(F.logSoftmax(x, 0), 'log_softmax0');
  assertClose(F.softmax(x, -1).sum(1).toNumbers(), [1, 1], { atol: 1e-12 });
  gradCheck((t) => F.softmax(t, 1), [f64([2, 3])]);
  gradCheck((t) => F.logSoftmax(t, 0), [f64([2, 3])]);
}));

const logits = (): Tensor => seq([3, 4], 5, 2, 9, 0.6);
const targets = (): Tensor => tensor([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]], { dtype: 'float64' });
const mask = (): Tensor => tensor([[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]], { dtype: 'float64' });

test('binaryCrossEntropyWithLogits: reductions, 0/1 mask (mean over kept entries), posWeight', leakFreeTidy(() => {
  const x = logits();
  const y = targets();
  closeScalar(F.binaryCrossEntropyWithLogits(x, y), 'bce_mean');
  closeScalar(F.binaryCrossEntropyWithLogits(x, y, { reduction: 'sum' }), 'bce_sum');
  close(F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' }), 'bce_none');
  closeScalar(F.binaryCrossEntropyWithLogits(x, y, { weight: mask() }), 'bce_mask_mean');
  closeScalar(F.binaryCrossEntropyWithLogits(x, y, { weight: mask(), reduction: 'sum' }), 'bce_mask_sum');
  closeScalar(F.binaryCrossEntropyWithLogits(x, y, { posWeight: tensor([2, 1, 0.5, 3], { dtype: 'float64' }) }), 'bce_posweight_mean');
  // A per-class weight broadcasts; 'mean' divides by the broadcast weight sum.
  const cw = tensor([1, 0, 1, 1], { dtype: 'float64' });
  const none = F.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' });
  assertClose([F.binaryCrossEntropyWithLogits(x, y, { weight: cw }).item()], [none.mul(cw).sum().item() / 9], { atol: 1e-12 });
  // Everything masked out: 0, not NaN.
  assert.equal(F.binaryCrossEntropyWithLogits(x, y, { weight: zeros([3, 4], { dtype: 'float64' }) }).item(), 0);
  // Float32 logits with a float32 mask.
  const m32 = F.binaryCrossEntropyWithLogits(x.float(), y.float(), { weight: mask().float() });
  assert.equal(m32.dtype, 'float32');
  assertClose([m32.item()], [REF['bce_mask_mean'] as number], { atol: 1e-6 });
  assert.throws(() => F.binaryCrossEntropyWithLogits(x, y.t()), /targets have shape \[4, 3\] but logits have shape \[3, 4\]/);
  assert.throws(() => F.binaryCrossEntropyWithLogits(x, y, { reduction: 'avg' as F.Reduction }), {
    name: 'RangeError',
    message: "Expected one of 'none', 'mean', 'sum' for option reduction of binaryCrossEntropyWithLogits() but received 'avg'",
  });
}));

test('binaryCrossEntropyWithLogits gradients (masked mean, posWeight) match finite differences', leakFreeTidy(() => {
  const y = targets();
  gradCheck((t) => F.binaryCrossEntropyWithLogits(t, y, { weight: mask() }), [logits()]);
  gradCheck((t) => F.binaryCrossEntropyWithLogits(t, y, { posWeight: tensor([2, 1, 0.5, 3], { dtype: 'float64' }), reduction: 'sum' }), [logits()]);
  gradCheck((t) => F.binaryCrossEntropyWithLogits(t, y, { reduction: 'none' }), [logits()]);
}));

test('crossEntropy: reductions, label smoothing, class weights, ignored targets', leakFreeTidy(() => {
  const x = logits();
  const labels = tensor([2, 0, 3], { dtype: 'int64' });
  closeScalar(F.crossEntropy(x, labels), 'ce_mean');
  close(F.crossEntropy(x, labels, { reduction: 'none' }), 'ce_none');
  closeScalar(F.crossEntropy(x, labels, { labelSmoothing: 0.1 }), 'ce_smooth');
  closeScalar(F.crossEntropy(x, labels, { weight: tensor([1, 2, 0.5, 1.5], { dtype: 'float64' }) }), 'ce_weight');
  closeScalar(F.crossEntropy(x, tensor([2, -100, 3], { dtype: 'int64' })), 'ce_ignore');
  assert.throws(() => F.crossEntropy(x, labels, { labelSmoothing: 2 }), /labelSmoothing must be in \[0, 1\]/);
  gradCheck((t) => F.crossEntropy(t, labels, { labelSmoothing: 0.1 }), [x]);
  gradCheck((t) => F.crossEntropy(t, labels, { reduction: 'sum', weight: tensor([1, 2, 0.5, 1.5], { dtype: 'float64' }) }), [x]);
}));

test('multiLabelSoftMarginLoss and mseLoss match PyTorch and are differentiable', leakFreeTidy(() => {
  const x = logits();
  const y = targets();
  closeScalar(F.multiLabelSoftMarginLoss(x, y), 'mlsm_mean');
  close(F.multiLabelSoftMarginLoss(x, y, { reduction: 'none' }), 'mlsm_none');
  closeScalar(F.multiLabelSoftMarginLoss(x, y, { weight: tensor([1, 2, 0.5, 1.5], { dtype: 'float64' }), reduction: 'sum' }), 'mlsm_weight_sum');
  assertClose([F.multiLabelSoftMarginLoss(x, y).item()], [F.binaryCrossEntropyWithLogits(x, y).item()], { atol: 1e-12 });
  gradCheck((t) => F.multiLabelSoftMarginLoss(t, y), [x]);

  const p = seq([2, 3], 3, 1, 5, 0.4);
  const q = seq([2, 3], 2, 0, 7, 0.3);
  closeScalar(F.mseLoss(p, q), 'mse_mean');
  closeScalar(F.mseLoss(p, q, { reduction: 'sum' }), 'mse_sum');
  gradCheck((a, b) => F.mseLoss(a, b), [p, q]);
}));

test('functional conv2d / batchNorm / linear / pools accept PyTorch-style arguments', leakFreeTidy(() => {
  manualSeed(12);
  const x = f64([2, 3, 6, 6]);
  const w = f64([4, 3, 3, 3]);
  gradCheck((a, b, c) => F.conv2d(a, b, c, { stride: [2, 1], padding: [1, 0] }), [x, w, f64([4])]);
  gradCheck((a, g, b) => F.batchNorm(a, null, null, { weight: g, bias: b, training: true }), [x, f64([3]), f64([3])]);
  assert.throws(() => F.batchNorm(x, null, null), /needs runningMean and runningVar/);
  gradCheck((a, b, c) => F.linear(a, b, c), [f64([2, 5]), f64([3, 5]), f64([3])]);
  assert.deepEqual(F.maxPool2d(x, [2, 3]).shape, [2, 3, 3, 2]);
  assert.deepEqual(F.avgPool2d(x, 3, { stride: 1, divisorOverride: 2 }).shape, [2, 3, 4, 4]);
  assert.deepEqual(F.relu(tensor([-1, 1])).toNumbers(), [0, 1]);
  assert.throws(() => F.maxPool2d(x, 2.5), /maxPool2d kernelSize: expected non-negative integers/);
}));
