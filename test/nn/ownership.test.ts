// Ownership: called outside any tidy(), library code must leave alive exactly what it returns
// (no stray intermediates), and modules exactly their parameters and buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory, noGrad, randn, tensor, Tensor } from '../../src/core/index.js';
import {
  AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, Dropout, Dropout2d, Flatten, Identity, Linear, MaxPool2d, ReLU, Sequential,
  functional as F, init, resnet18, resnet50, type Module,
} from '../../src/nn/index.js';
import { leakFree } from '../helpers/leak.js';

function tensorsIn(v: unknown): Tensor[] {
  if (v instanceof Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(tensorsIn);
  if (v instanceof Map) return [...v.values()].flatMap(tensorsIn);
  return [];
}

/** Runs fn outside any scope and asserts that the only new live handles are the tensors it returns. */
function producesOnly(what: string, fn: () => unknown): void {
  const before = memory().tensors;
  const out = fn();
  const returned = tensorsIn(out).filter((t) => !t.isDisposed);
  const fresh = new Set(returned).size;
  assert.equal(memory().tensors - before, fresh, `${what}: ${memory().tensors - before} new handles, but it returns ${fresh}`);
  for (const t of returned) t.dispose();
}

test('every layer forward leaves only its output (train and eval, grad and noGrad)', () => {
  leakFree(() => {
    const x = randn([2, 4, 6, 6], { requiresGrad: true });
    const layers: [string, Module & { forward(x: Tensor): Tensor }][] = [
      ['Conv2d', new Conv2d(4, 3, 3, { padding: 1, stride: 2 })],
      ['BatchNorm2d', new BatchNorm2d(4)],
      ['BatchNorm2d cumulative', new BatchNorm2d(4, { momentum: null })],
      ['Linear', new Linear(6, 2)],
      ['ReLU', new ReLU()],
      ['MaxPool2d', new MaxPool2d(2)],
      ['AvgPool2d', new AvgPool2d(3, { stride: 1, padding: 1 })],
      ['AdaptiveAvgPool2d', new AdaptiveAvgPool2d([2, 3])],
      ['Dropout', new Dropout(0.3)],
      ['Dropout2d', new Dropout2d(0.3)],
      ['Flatten', new Flatten()],
      ['Sequential', new Sequential(new Conv2d(4, 4, 1), new ReLU({ inplace: true }), new Identity(), new BatchNorm2d(4), new MaxPool2d(2), new Flatten())],
    ];
    for (const [name, layer] of layers) {
      for (const mode of ['train', 'eval'] as const) {
        layer.train(mode === 'train');
        producesOnly(`${name} ${mode}`, () => layer.forward(x));
        producesOnly(`${name} ${mode} noGrad`, () => noGrad(() => layer.forward(x)));
      }
      layer.dispose();
    }
    // Identity returns its input itself: nothing new.
    producesOnly('Identity', () => void new Identity().forward(x));
    x.dispose();
  });
});

test('functional ops and losses leave only their output', () => {
  leakFree(() => {
    const x = randn([2, 3, 4, 5], { requiresGrad: true });
    const logits = randn([3, 4], { requiresGrad: true });
    const y = tensor([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 0, 0]]);
    const mask = tensor([[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]]);
    const labels = tensor([2, 0, 3], { dtype: 'int64' });
    const w = tensor([0.5, 1, 2, 1.5]);
    const cases: [string, () => Tensor][] = [
      ['interpolate bilinear', () => F.interpolate(x, { size: [7, 9], mode: 'bilinear', alignCorners: true })],
      ['interpolate nearest', () => F.interpolate(x, { scaleFactor: 2 })],
      ['softmax', () => F.softmax(logits, 1)],
      ['logSoftmax', () => F.logSoftmax(logits, 1)],
      ['bce', () => F.binaryCrossEntropyWithLogits(logits, y)],
      ['bce mask mean', () => F.binaryCrossEntropyWithLogits(logits, y, { weight: mask, posWeight: w })],
      ['bce mask none', () => F.binaryCrossEntropyWithLogits(logits, y, { weight: mask, reduction: 'none' })],
      ['crossEntropy', () => F.crossEntropy(logits, labels, { labelSmoothing: 0.1, weight: w })],
      ['multiLabelSoftMarginLoss', () => F.multiLabelSoftMarginLoss(logits, y, { weight: w })],
      ['multiLabelSoftMarginLoss none', () => F.multiLabelSoftMarginLoss(logits, y, { reduction: 'none' })],
      ['mseLoss', () => F.mseLoss(logits, y)],
      ['batchNorm', () => F.batchNorm(x, null, null, { training: true })],
      ['dropout', () => F.dropout(x, 0.5)],
    ];
    for (const [name, fn] of cases) producesOnly(name, fn);
    for (const t of [x, logits, y, mask, labels, w]) t.dispose();
  });
});

test('ResNet forward, features, backward and module utilities leave nothing behind', () => {
  leakFree(() => {
    const m = resnet18({ widthMultiplier: 0.125, numClasses: 3, outputStride: 16 });
    const nTensors = m.parameters().length + m.buffers().length;
    const x = randn([2, 3, 32, 32]);
    producesOnly('forward', () => m.forward(x));
    producesOnly('features', () => m.features(x));
    producesOnly('forward noGrad eval', () => noGrad(() => m.eval().forward(x)));
    m.train();
    // backward: the gradients are the only new handles (one per parameter, held by libtorch).
    const target = randn([2, 3]);
    const before = memory().tensors;
    const out = m.forward(x);
    const loss = F.mseLoss(out, target);
    loss.backward();
    assert.equal(memory().tensors, before + 2, 'forward + backward: the output and the loss only');
    for (const t of [out, loss, target]) t.dispose();
    producesOnly('zeroGrad', () => m.zeroGrad());
    producesOnly('stateDict', () => m.stateDict());
    const sd = m.stateDict();
    producesOnly('loadStateDict', () => void m.loadStateDict(sd));
    for (const t of sd.values()) t.dispose();
    producesOnly('to(float64)', () => void m.to('float64'));
    producesOnly('numParameters / namedParameters / modules', () => void [m.numParameters(), m.namedParameters(), m.namedBuffers(), m.modules(), m.toString()]);
    for (const t of m.parameters()) {
      producesOnly('init', () => void [init.normal_(t, 0, 0.1), init.zeros_(t), init.constant_(t, 2), init.ones_(t)]);
    }
    const before2 = memory().tensors;
    m.dispose();
    assert.equal(before2 - memory().tensors, nTensors, 'dispose releases every parameter and buffer');
    x.dispose();
    // Construction of a big model leaves exactly its parameters and buffers.
    const b0 = memory().tensors;
    const big = resnet50();
    assert.equal(memory().tensors - b0, big.parameters().length + big.buffers().length);
    big.dispose();
  });
});
