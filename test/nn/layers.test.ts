// Layers: output values against PyTorch (reference.ts), gradients against finite differences,
// train/eval behaviour, no leaked handles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, ones, randn, tensor, tidy, type Tensor } from '../../src/core/index.js';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Dropout, Dropout2d, Flatten, Identity, Linear, MaxPool2d, ReLU, Sequential,
} from '../../src/nn/index.js';
import { leakFree } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/assertTensor.js';
import { REF } from './reference.js';
import { paramGradCheck, seq } from './inputs.js';

const close = (t: Tensor, key: string, atol = 1e-12): void => assertClose(t.toNumbers(), REF[key] as number[], { atol });
const f64 = (shape: number[]): Tensor => randn(shape, { dtype: 'float64' });

test('Conv2d matches PyTorch: padding, stride + dilation, groups, same', leakFreeTidy(() => {
  const x = seq([1, 2, 5, 5], 7, 3, 11, 0.2);
  const w = seq([4, 2, 3, 3], 5, 1, 13, 0.1);
  const b = tensor([0.1, -0.2, 0.3, 0.05], { dtype: 'float64' });
  const cases: [ConstructorParameters<typeof Conv2d>[3], string, number[]][] = [
    [{ padding: 1 }, 'conv_pad1', [1, 4, 5, 5]],
    [{ stride: 2, padding: 2, dilation: 2 }, 'conv_stride2_dil2', [1, 4, 3, 3]],
    [{ padding: 'same' }, 'conv_same', [1, 4, 5, 5]],
  ];
  for (const [opts, key, shape] of cases) {
    const conv = new Conv2d(2, 4, 3, opts).to('float64');
    conv.loadStateDict({ weight: w, bias: b });
    const y = conv.forward(x);
    assert.deepEqual(y.shape, shape, key);
    close(y, key);
    conv.dispose();
  }
  const g = new Conv2d(2, 4, 3, { groups: 2, bias: false }).to('float64');
  assert.deepEqual(g.weight.shape, [4, 1, 3, 3]);
  assert.equal(g.bias, null);
  g.loadStateDict({ weight: seq([4, 1, 3, 3], 5, 1, 13, 0.1) });
  close(g.forward(x), 'conv_groups2');
  g.dispose();
}));

test('Conv2d gradients (input, weight, bias) match finite differences', leakFreeTidy(() => {
  manualSeed(1);
  const conv = new Conv2d(2, 3, 3, { stride: 2, padding: 1, dilation: 1 }).to('float64');
  const x = f64([2, 2, 5, 5]);
  gradCheck((xx) => conv.forward(xx), [x]);
  paramGradCheck(conv, () => conv.forward(x));
  conv.dispose();
  const grouped = new Conv2d(4, 2, [3, 2], { groups: 2, dilation: [1, 2], padding: [1, 0] }).to('float64');
  const x2 = f64([1, 4, 4, 5]);
  gradCheck((xx) => grouped.forward(xx), [x2]);
  paramGradCheck(grouped, () => grouped.forward(x2));
  grouped.dispose();
}));

test('Conv2d validates its arguments with clear messages', () => {
  assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /divisible by groups/);
  assert.throws(() => new Conv2d(3, 4, -1), /kernelSize/);
  leakFree(() => {
    const conv = new Conv2d(3, 4, 3);
    const x = randn([1, 2, 8, 8]);
    assert.throws(() => conv.forward(x), /aten::conv2d/);
    x.dispose();
    conv.dispose();
  });
});

test('BatchNorm2d: train uses batch stats and updates running stats; eval uses running stats', leakFreeTidy(() => {
  const bn = new BatchNorm2d(3).to('float64');
  assert.equal(bn.num_batches_tracked!.dtype, 'int64');
  assert.deepEqual(bn.num_batches_tracked!.shape, []);
  noGrad(() => {
    bn.weight!.copy_(tensor([1.0, 0.5, 2.0], { dtype: 'float64' }));
    bn.bias!.copy_(tensor([0.0, 0.1, -0.2], { dtype: 'float64' }));
  });
  const x = seq([2, 3, 2, 2], 5, 2, 9, 0.3);
  assert.equal(bn.training, true);
  close(bn.forward(x), 'bn_train_out');
  close(bn.forward(x.mul(2)), 'bn_train2_out');
  close(bn.running_mean!, 'bn_running_mean');
  close(bn.running_var!, 'bn_running_var');
  assert.equal(bn.num_batches_tracked!.item(), 2);
  bn.eval();
  close(bn.forward(x), 'bn_eval_out');
  assert.equal(bn.num_batches_tracked!.item(), 2, 'eval mode does not count batches');
  const rm = bn.running_mean!.toNumbers();
  bn.forward(x.mul(3));
  assert.deepEqual(bn.running_mean!.toNumbers(), rm, 'eval mode does not update running stats');
  bn.dispose();
}));

test('BatchNorm2d: cumulative average (momentum null), no running stats, shape errors', leakFreeTidy(() => {
  const bn = new BatchNorm2d(2, { momentum: null }).to('float64');
  const a = f64([4, 2, 3, 3]);
  const b = f64([4, 2, 3, 3]);
  bn.forward(a);
  bn.forward(b);
  const expected = a.mean([0, 2, 3]).add(b.mean([0, 2, 3])).div(2);
  assertClose(bn.running_mean!.toNumbers(), expected.toNumbers(), { atol: 1e-12 });

  const free = new BatchNorm2d(2, { trackRunningStats: false, affine: false }).to('float64');
  assert.equal(free.running_mean, null);
  assert.equal(free.parameters().length, 0);
  assert.equal(free.stateDict().size, 0);
  free.eval();
  const y = free.forward(a); // no running stats: batch statistics even in eval mode
  assertClose(y.mean([0, 2, 3]).toNumbers(), [0, 0], { atol: 1e-12 });
  assert.throws(() => bn.forward(f64([2, 3, 4, 4])), /BatchNorm2d\(2\): expected input \[N, 2, H, W\], got \[2, 3, 4, 4\]/);
  assert.throws(() => bn.train().forward(f64([1, 2, 1, 1])), /more than 1 value per channel/);
  bn.dispose();
  free.dispose();
}));

test('BatchNorm2d gradients in training mode match finite differences', leakFreeTidy(() => {
  manualSeed(2);
  const bn = new BatchNorm2d(2).to('float64');
  noGrad(() => {
    bn.weight!.copy_(tensor([1.5, -0.7], { dtype: 'float64' }));
    bn.bias!.copy_(tensor([0.2, 0.3], { dtype: 'float64' }));
  });
  const x = f64([3, 2, 2, 2]);
  gradCheck((xx) => bn.forward(xx), [x]);
  paramGradCheck(bn, () => bn.forward(x));
  bn.eval();
  gradCheck((xx) => bn.forward(xx), [x]);
  bn.dispose();
}));

test('Linear matches PyTorch and its gradients match finite differences', leakFreeTidy(() => {
  const fc = new Linear(4, 2).to('float64');
  fc.loadStateDict({ weight: seq([2, 4], 2, 1, 5, 0.25), bias: tensor([0.5, -1.0], { dtype: 'float64' }) });
  close(fc.forward(seq([3, 4], 3, 1, 7, 0.5)), 'linear');
  manualSeed(3);
  const x = f64([3, 4]);
  gradCheck((xx) => fc.forward(xx), [x]);
  paramGradCheck(fc, () => fc.forward(x));
  const nob = new Linear(4, 3, { bias: false });
  assert.deepEqual(nob.namedParameters().map(([n]) => n), ['weight']);
  assert.deepEqual(nob.forward(randn([5, 4])).shape, [5, 3]);
  fc.dispose();
  nob.dispose();
}));

test('ReLU, in place and not', leakFreeTidy(() => {
  const x = tensor([[-1, 2], [0.5, -3]]);
  const y = new ReLU().forward(x);
  assert.deepEqual(y.toNumbers(), [0, 2, 0.5, 0]);
  assert.deepEqual(x.toNumbers(), [-1, 2, 0.5, -3]);
  const z = new ReLU({ inplace: true }).forward(x);
  assert.equal(z, x, 'inplace returns its input');
  assert.deepEqual(x.toNumbers(), [0, 2, 0.5, 0]);
}));

test('MaxPool2d / AvgPool2d / AdaptiveAvgPool2d match PyTorch', leakFreeTidy(() => {
  const x = seq([1, 1, 5, 5], 7, 2, 17, 0.1);
  const cases: [{ forward(x: Tensor): Tensor }, string, number[]][] = [
    [new MaxPool2d(3, { stride: 2, padding: 1 }), 'maxpool_3_2_1', [1, 1, 3, 3]],
    [new MaxPool2d(2, { ceilMode: true }), 'maxpool_2_ceil', [1, 1, 3, 3]],
    [new AvgPool2d(2), 'avgpool_2', [1, 1, 2, 2]],
    [new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), 'avgpool_3_2_1_nopad', [1, 1, 3, 3]],
    [new AvgPool2d(3, { stride: 2, padding: 1 }), 'avgpool_3_2_1_pad', [1, 1, 3, 3]],
  ];
  for (const [m, key, shape] of cases) {
    const y = m.forward(x);
    assert.deepEqual(y.shape, shape, key);
    close(y, key);
  }
  const xa = seq([1, 2, 5, 7], 7, 2, 17, 0.1);
  close(new AdaptiveAvgPool2d([2, 3]).forward(xa), 'adaptive_2_3');
  const g = new AdaptiveAvgPool2d(1).forward(xa);
  assert.deepEqual(g.shape, [1, 2, 1, 1]);
  close(g, 'adaptive_1');
  assert.deepEqual(new AdaptiveAvgPool2d([null, 2]).forward(xa).shape, [1, 2, 5, 2]);
}));

test('pooling gradients match finite differences', leakFreeTidy(() => {
  manualSeed(4);
  const x = f64([2, 2, 5, 6]);
  gradCheck((t) => new MaxPool2d(3, { stride: 2, padding: 1 }).forward(t), [x]);
  gradCheck((t) => new MaxPool2d(2, { ceilMode: true, dilation: 1 }).forward(t), [x]);
  gradCheck((t) => new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).forward(t), [x]);
  gradCheck((t) => new AvgPool2d(2).forward(t), [x]);
  gradCheck((t) => new AdaptiveAvgPool2d([2, 4]).forward(t), [x]);
}));

test('Dropout: zeroes about p and rescales in training, identity in eval', leakFreeTidy(() => {
  manualSeed(5);
  const d = new Dropout(0.25);
  const x = ones([100, 100]);
  const y = d.forward(x).toNumbers();
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(zeros > 2200 && zeros < 2800, `about 25% zeros, got ${zeros}`);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6), 'kept values scaled by 1/(1-p)');
  d.eval();
  assert.deepEqual(d.forward(x).toNumbers(), x.toNumbers());
  const d2 = new Dropout2d(0.5);
  const maps = d2.forward(ones([4, 16, 3, 3])).reshape([64, 9]).toNumbers();
  for (let c = 0; c < 64; c++) {
    const row = maps.slice(c * 9, c * 9 + 9);
    assert.ok(row.every((v) => v === row[0]), 'Dropout2d drops whole channels');
  }
  d2.eval();
  assert.deepEqual(d2.forward(ones([1, 2, 2, 2])).toNumbers(), new Array(8).fill(1));
  assert.throws(() => new Dropout(1.5), /p must be in \[0, 1\]/);
}));

test('Sequential, Identity, Flatten', leakFreeTidy(() => {
  const net = new Sequential(new Conv2d(1, 2, 3, { padding: 1 }), new ReLU({ inplace: true }), new Identity(), new Flatten(), new Linear(2 * 4 * 4, 3));
  assert.equal(net.length, 5);
  assert.deepEqual(net.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '4.weight', '4.bias']);
  assert.ok(net.at(-1) instanceof Linear);
  assert.equal([...net].length, 5);
  const x = randn([2, 1, 4, 4]);
  const y = tidy(() => net.forward(x));
  assert.deepEqual(y.shape, [2, 3]);
  assert.equal(x.isDisposed, false, 'the input is not disposed');
  // Same result as composing the children by hand.
  const manual = tidy(() => {
    const c = (net.at(0) as Conv2d).forward(x).relu().flatten(1);
    return (net.at(4) as Linear).forward(c);
  });
  assertClose(y.toNumbers(), manual.toNumbers(), { atol: 1e-6 });
  assert.equal(new Identity().forward(x), x);
  assert.deepEqual(new Flatten(0, 1).forward(randn([2, 3, 4])).shape, [6, 4]);
  assert.match(net.toString(), /^Sequential\(\n {2}\(0\): Conv2d\(1, 2, kernelSize=\[3, 3\]/);
  net.dispose();
}));

test('gradient flows through a Sequential to every parameter', leakFreeTidy(() => {
  manualSeed(6);
  const net = new Sequential(new Conv2d(2, 3, 3, { padding: 1 }), new BatchNorm2d(3), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(3, 2)).to('float64');
  const x = f64([4, 2, 4, 4]);
  gradCheck((t) => net.forward(t), [x]);
  paramGradCheck(net, () => net.forward(x), { atol: 1e-6, rtol: 1e-4 });
  net.dispose();
}));
