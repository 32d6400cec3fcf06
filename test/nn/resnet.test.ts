// ResNet family: torchvision parameter names and counts, widths, output shapes in classifier
// and fully convolutional (dilated) modes, block gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, randn, tidy, type Tensor } from '../../src/core/index.js';
import { BasicBlock, BatchNorm2d, Bottleneck, Conv2d, ResNet, Sequential, resnet, resnet101, resnet152, resnet18, resnet34, resnet50 } from '../../src/nn/index.js';
import { leakFree } from '../helpers/leak.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/assertTensor.js';

const keysAndShapes = (m: ResNet): [string, number[]][] => tidy(() => [...m.stateDict()].map(([k, v]) => [k, v.shape] as [string, number[]]));

test('parameter counts equal torchvision\'s for all five depths (1000 classes)', () => {
  const expected: [(o?: object) => ResNet, number][] = [
    [resnet18, 11_689_512],
    [resnet34, 21_797_672],
    [resnet50, 25_557_032],
    [resnet101, 44_549_160],
    [resnet152, 60_192_808],
  ];
  leakFree(() => {
    for (const [make, count] of expected) {
      const m = make();
      assert.equal(m.numParameters(), count, make.name);
      m.dispose();
    }
  });
});

test('state dict keys are torchvision\'s (order and shapes), ResNet-50', leakFreeTidy(() => {
  const m = resnet50();
  const bn = (p: string, c: number): [string, number[]][] => [
    [`${p}.weight`, [c]], [`${p}.bias`, [c]], [`${p}.running_mean`, [c]], [`${p}.running_var`, [c]], [`${p}.num_batches_tracked`, []],
  ];
  const expected: [string, number[]][] = [['conv1.weight', [64, 3, 7, 7]], ...bn('bn1', 64)];
  let inC = 64;
  [3, 4, 6, 3].forEach((blocks, s) => {
    const planes = 64 * 2 ** s;
    for (let b = 0; b < blocks; b++) {
      const p = `layer${s + 1}.${b}`;
      expected.push([`${p}.conv1.weight`, [planes, inC, 1, 1]], ...bn(`${p}.bn1`, planes));
      expected.push([`${p}.conv2.weight`, [planes, planes, 3, 3]], ...bn(`${p}.bn2`, planes));
      expected.push([`${p}.conv3.weight`, [planes * 4, planes, 1, 1]], ...bn(`${p}.bn3`, planes * 4));
      if (b === 0) expected.push([`${p}.downsample.0.weight`, [planes * 4, inC, 1, 1]], ...bn(`${p}.downsample.1`, planes * 4));
      inC = planes * 4;
    }
  });
  expected.push(['fc.weight', [1000, 2048]], ['fc.bias', [1000]]);
  assert.deepEqual(keysAndShapes(m), expected);
  assert.equal(expected.length, 320);
  assert.equal(m.outChannels, 2048);
  m.dispose();
}));

test('ResNet-18 layout: BasicBlocks, downsample only where the shape changes', leakFreeTidy(() => {
  const m = resnet18();
  const ks = keysAndShapes(m);
  assert.equal(ks.length, 122);
  assert.deepEqual(ks.slice(0, 3).map(([k]) => k), ['conv1.weight', 'bn1.weight', 'bn1.bias']);
  const downs = ks.filter(([k]) => k.endsWith('downsample.0.weight'));
  assert.deepEqual(downs, [
    ['layer2.0.downsample.0.weight', [128, 64, 1, 1]],
    ['layer3.0.downsample.0.weight', [256, 128, 1, 1]],
    ['layer4.0.downsample.0.weight', [512, 256, 1, 1]],
  ]);
  assert.deepEqual(ks.find(([k]) => k === 'layer3.1.conv2.weight'), ['layer3.1.conv2.weight', [256, 256, 3, 3]]);
  assert.deepEqual(ks.slice(-2), [['fc.weight', [1000, 512]], ['fc.bias', [1000]]]);
  assert.ok(m.layer1.at(0) instanceof BasicBlock);
  assert.equal(m.outChannels, 512);
  assert.equal(m.outputStride, 32);
  m.dispose();
}));

test('width multiplier, input channels, classes: counts match a torchvision-style reference', leakFreeTidy(() => {
  // Reference counts from torchvision's construction with every width scaled (PyTorch 1.13).
  const cases: [ResNet, number, number][] = [
    [resnet18({ widthMultiplier: 0.5, numClasses: 10 }), 2_801_450, 256],
    [resnet50({ widthMultiplier: 0.25, numClasses: 20 }), 1_491_236, 512],
    [resnet34({ widthMultiplier: 0.75 }), 12_362_584, 384],
  ];
  for (const [m, count, outC] of cases) {
    assert.equal(m.numParameters(), count);
    assert.equal(m.outChannels, outC);
    m.dispose();
  }
  const half = resnet18({ widthMultiplier: 0.5 });
  assert.deepEqual([half.conv1.outChannels, half.layer1.at(0) instanceof BasicBlock && (half.layer1.at(0) as BasicBlock).conv1.outChannels,
    (half.layer2.at(0) as BasicBlock).conv1.outChannels, (half.layer3.at(0) as BasicBlock).conv1.outChannels, (half.layer4.at(0) as BasicBlock).conv1.outChannels], [32, 32, 64, 128, 256]);
  half.dispose();
  const gray = resnet18({ inChannels: 1, numClasses: 0 });
  assert.deepEqual(gray.conv1.weight.shape, [64, 1, 7, 7]);
  assert.equal(gray.fc, null);
  assert.equal(gray.numParameters(), 11_689_512 - 513_000 - 2 * 64 * 7 * 7);
  gray.dispose();
}));

test('classifier mode: [N, numClasses] scores; numClasses 0 gives pooled features', leakFreeTidy(() => {
  manualSeed(21);
  const m = resnet18({ widthMultiplier: 0.25, numClasses: 7 });
  const x = randn([2, 3, 64, 64]);
  assert.deepEqual(tidy(() => m.forward(x)).shape, [2, 7]);
  m.eval();
  const scores = noGrad(() => m.forward(x));
  // The same as pooling features() and applying fc by hand.
  const manual = noGrad(() => tidy(() => m.fc!.forward(m.features(x).mean([2, 3]))));
  assertClose(scores.toNumbers(), manual.toNumbers(), { atol: 1e-5 });
  m.dispose();
  const headless = resnet50({ widthMultiplier: 0.25, numClasses: 0 });
  assert.deepEqual(noGrad(() => headless.forward(randn([2, 3, 32, 32]))).shape, [2, 512]);
  // Batch statistics need more than one value per channel (as PyTorch): 1 image of 32 px
  // reaches layer4 as 1x1, which only eval mode can normalise.
  assert.throws(() => headless.forward(randn([1, 3, 32, 32])), /BatchNorm2d: expected more than 1 value per channel in training mode, got input \[1, 128, 1, 1\]/);
  assert.deepEqual(noGrad(() => headless.eval().forward(randn([1, 3, 32, 32]))).shape, [1, 512]);
  headless.dispose();
}));

test('fully convolutional mode: output stride 32 / 16 / 8 (224 px -> 7 / 14 / 28), same parameters', leakFreeTidy(() => {
  const x = randn([1, 3, 224, 224]);
  const counts = new Set<number>();
  for (const [os, side] of [[32, 7], [16, 14], [8, 28]] as const) {
    const m = resnet18({ widthMultiplier: 0.5, outputStride: os }).eval();
    assert.equal(m.outputStride, os);
    assert.deepEqual(noGrad(() => m.features(x)).shape, [1, 256, side, side], `stride ${os}`);
    assert.deepEqual(noGrad(() => m.forward(x)).shape, [1, 1000]);
    counts.add(m.numParameters());
    m.dispose();
  }
  assert.equal(counts.size, 1, 'dilation does not change the parameters');
  const small = randn([2, 3, 97, 70]);
  for (const [os, h, w] of [[32, 4, 3], [16, 7, 5], [8, 13, 9]] as const) {
    const m = resnet50({ widthMultiplier: 0.125, replaceStrideWithDilation: [false, os === 8, os <= 16] }).eval();
    assert.deepEqual(noGrad(() => m.features(small)).shape, [2, 256, h, w], `ResNet-50 stride ${os}`);
    m.dispose();
  }
  assert.throws(() => resnet18({ outputStride: 4 as 8 }), /outputStride must be 8, 16 or 32/);
  assert.throws(() => resnet18({ outputStride: 16, replaceStrideWithDilation: [false, true, true] }), /contradicts/);
}));

test('dilated stages follow torchvision: strided conv keeps the previous dilation, later 3x3 convs dilate', leakFreeTidy(() => {
  const r50 = resnet50({ widthMultiplier: 0.125, outputStride: 8 });
  const conv2 = (layer: Sequential, i: number): Conv2d => (layer.at(i) as Bottleneck).conv2;
  assert.deepEqual([conv2(r50.layer2, 0).stride, conv2(r50.layer2, 0).dilation], [[2, 2], [1, 1]]);
  assert.deepEqual([conv2(r50.layer3, 0).stride, conv2(r50.layer3, 0).dilation], [[1, 1], [1, 1]]);
  assert.deepEqual(conv2(r50.layer3, 1).dilation, [2, 2]);
  assert.deepEqual([conv2(r50.layer4, 0).stride, conv2(r50.layer4, 0).dilation, conv2(r50.layer4, 0).padding], [[1, 1], [2, 2], [2, 2]]);
  assert.deepEqual(conv2(r50.layer4, 2).dilation, [4, 4]);
  assert.deepEqual((r50.layer4.at(0) as Bottleneck).downsample!.at(0) instanceof Conv2d && ((r50.layer4.at(0) as Bottleneck).downsample!.at(0) as Conv2d).stride, [1, 1]);
  r50.dispose();
  const r18 = resnet18({ widthMultiplier: 0.125, outputStride: 16 });
  const b0 = r18.layer4.at(0) as BasicBlock;
  const b1 = r18.layer4.at(1) as BasicBlock;
  assert.deepEqual([b0.conv1.stride, b0.conv1.dilation, b0.conv2.dilation, b1.conv1.dilation, b1.conv2.dilation], [[1, 1], [1, 1], [2, 2], [2, 2], [2, 2]]);
  r18.dispose();
}));

test('torchvision initialisation, zeroInitResidual, weights load across output strides', leakFreeTidy(() => {
  manualSeed(22);
  const m = resnet50({ zeroInitResidual: true, widthMultiplier: 0.5 });
  const w = m.layer3.at(0) as Bottleneck;
  // Kaiming normal, fan_out, relu gain: std = sqrt(2 / (out * 3 * 3)).
  const std = tidy(() => w.conv2.weight.std().item());
  assert.ok(Math.abs(std / Math.sqrt(2 / (w.conv2.outChannels * 9)) - 1) < 0.03, `conv std ${std}`);
  for (const mod of m.modules()) {
    if (mod instanceof Bottleneck) assert.ok(mod.bn3.weight!.toNumbers().every((v) => v === 0));
  }
  assert.ok(w.bn1.weight!.toNumbers().every((v) => v === 1));
  assert.ok((m.bn1 as BatchNorm2d).bias!.toNumbers().every((v) => v === 0));
  const a = resnet18({ widthMultiplier: 0.25 }).eval();
  const b = resnet18({ widthMultiplier: 0.25, outputStride: 8 }).eval();
  tidy(() => b.loadStateDict(a.stateDict()));
  const x = randn([1, 3, 64, 64]);
  // Same parameter shapes, so pretrained weights load into the dilated net; only the map size changes.
  const fa = noGrad(() => a.features(x));
  const fb = noGrad(() => b.features(x));
  assert.deepEqual([fa.shape, fb.shape], [[1, 128, 2, 2], [1, 128, 8, 8]]);
  m.dispose();
  a.dispose();
  b.dispose();
}));

test('one training step reaches every parameter; blocks pass gradient checks', leakFreeTidy(() => {
  manualSeed(23);
  const m = resnet18({ widthMultiplier: 0.125, numClasses: 3 });
  tidy(() => m.forward(randn([2, 3, 32, 32])).square().sum().backward());
  const missing = m.namedParameters().filter(([, p]) => tidy(() => p.grad === null)).map(([n]) => n);
  assert.deepEqual(missing, []);
  assert.ok(m.modules().filter((x) => x instanceof BatchNorm2d).every((bn) => (bn as BatchNorm2d).num_batches_tracked!.item() === 1));
  m.dispose();

  const down = new Sequential(new Conv2d(4, 6, 1, { stride: 2, bias: false }), new BatchNorm2d(6));
  const basic = new BasicBlock(4, 6, { stride: 2, downsample: down }).to('float64');
  gradCheck((t: Tensor) => basic.forward(t), [randn([2, 4, 5, 5], { dtype: 'float64' })]);
  basic.dispose();
  const bottleneck = new Bottleneck(8, 2, { dilation: 2, firstDilation: 2 }).to('float64').eval();
  gradCheck((t: Tensor) => bottleneck.forward(t), [randn([1, 8, 5, 5], { dtype: 'float64' }).mul(0.5)]);
  bottleneck.dispose();
  assert.throws(() => resnet(19 as 18), /depth must be 18, 34, 50, 101 or 152/);
}));
