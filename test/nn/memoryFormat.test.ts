// Networks in either memory layout: Module.to({ memoryFormat }), channels-last forward and
// backward of a ResNet and of WildcatNet against contiguous, state dicts across layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, randn, tidy, type Tensor } from '../../src/core/index.js';
import { resnet, Conv2d, Linear, BatchNorm2d, Sequential, type Module } from '../../src/nn/index.js';
import { buildWildcatNet, type WildcatNetSpec } from '../../src/wsl/buildWildcatNet.js';
import { leakFree } from '../helpers/leak.js';
import { assertClose } from '../helpers/assertTensor.js';

/** Two copies of the same network: `make()` twice after the same seed. */
function twins<M extends Module>(make: () => M): [M, M] {
  manualSeed(3);
  const a = make();
  manualSeed(3);
  return [a, make()];
}

/** Forward + backward of both nets on the same batch (b's in its own layout): outputs and every gradient agree. */
function assertSameTraining(a: Module, b: Module, x: Tensor, forward: (m: Module, x: Tensor) => Tensor): void {
  a.train();
  b.train();
  tidy(() => {
    const ya = forward(a, x);
    const yb = forward(b, x.contiguous({ memoryFormat: 'channelsLast' }));
    assertClose(yb.toNumbers(), ya.toNumbers(), { atol: 1e-4, rtol: 1e-4 });
    ya.square().sum().backward();
    yb.square().sum().backward();
  });
  tidy(() => {
    const gb = new Map(b.namedParameters());
    for (const [name, p] of a.namedParameters()) {
      const [ga, gq] = [p.grad, gb.get(name)!.grad];
      assert.ok(ga && gq, `${name} has a gradient in both layouts`);
      assertClose(gq.toNumbers(), ga.toNumbers(), { atol: 1e-3, rtol: 1e-3 });
    }
    const bb = new Map(b.namedBuffers());
    for (const [name, t] of a.namedBuffers()) assertClose(bb.get(name)!.toNumbers(), t.toNumbers(), { atol: 1e-5, rtol: 1e-5 });
  });
  a.zeroGrad();
  b.zeroGrad();
}

test('Module.to({ memoryFormat }) lays out 4-D parameters only and keeps them trainable leaves', () => {
  leakFree(() => {
    const m = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4), new Linear(4, 2));
    m.to({ memoryFormat: 'channelsLast' });
    const [conv, , lin] = m.children() as [Conv2d, BatchNorm2d, Linear];
    assert.equal(conv.weight.isContiguous('channelsLast'), true);
    assert.equal(conv.weight.isContiguous(), false);
    assert.equal(conv.weight.requiresGrad && conv.weight.isLeaf, true);
    assert.equal(lin.weight.isContiguous(), true);
    m.to({ memoryFormat: 'contiguous', dtype: 'float64' });
    assert.equal(conv.weight.isContiguous(), true);
    assert.equal(conv.weight.dtype, 'float64');
    assert.throws(() => m.to({ memoryFormat: 'nhwc' as never }), /'contiguous', 'channelsLast' for Module\.to\(\) option memoryFormat but received 'nhwc'/);
    m.dispose();
  });
});

test('ResNet-18 (half width): channels-last forward and backward equal contiguous', () => {
  leakFree(() => {
    const [a, b] = twins(() => resnet(18, { numClasses: 5, widthMultiplier: 0.25 }));
    b.to({ memoryFormat: 'channelsLast' });
    const x = randn([4, 3, 64, 64]);
    assertSameTraining(a, b, x, (m, v) => (m as ReturnType<typeof resnet>).forward(v));
    // The features stay channels-last through the network.
    tidy(() => assert.equal(b.features(x.contiguous({ memoryFormat: 'channelsLast' })).isContiguous('channelsLast'), true));
    a.dispose();
    b.dispose();
    x.dispose();
  });
});

test('WildcatNet (maps, class-wise mean, WILDCAT pooling, dilated): channels-last equals contiguous, class maps included', () => {
  leakFree(() => {
    const spec: WildcatNetSpec = {
      backbone: { depth: 18, widthMultiplier: 0.25, outputStride: 16 },
      numClasses: 3, maps: 2, classWise: 'mean', pooling: { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7 }, architecture: 'maps',
    };
    const [a, b] = twins(() => buildWildcatNet(spec));
    b.to({ memoryFormat: 'channelsLast' });
    const x = randn([4, 3, 64, 64]);
    assertSameTraining(a, b, x, (m, v) => (m as ReturnType<typeof buildWildcatNet>).forward(v));
    a.eval();
    b.eval();
    tidy(() => {
      const ma = a.forwardMaps(x);
      const mb = b.forwardMaps(x.contiguous({ memoryFormat: 'channelsLast' }));
      assertClose(mb.classMaps.toNumbers(), ma.classMaps.toNumbers(), { atol: 1e-4, rtol: 1e-4 });
      assertClose(mb.scores.toNumbers(), ma.scores.toNumbers(), { atol: 1e-4, rtol: 1e-4 });
    });
    a.dispose();
    b.dispose();
    x.dispose();
  });
});

test('a state dict saved in one layout loads into the other (values in logical order both ways)', () => {
  leakFree(() => {
    const [cl, plain] = twins(() => resnet(18, { numClasses: 4, widthMultiplier: 0.25 }));
    cl.to({ memoryFormat: 'channelsLast' });
    manualSeed(9);
    const other = resnet(18, { numClasses: 4, widthMultiplier: 0.25 });
    // channels-last -> contiguous
    tidy(() => other.loadStateDict(cl.stateDict()));
    tidy(() => {
      for (const [k, v] of plain.stateDict()) assert.deepEqual(new Map(other.stateDict()).get(k)!.toNumbers(), v.toNumbers(), k);
    });
    assert.equal(other.conv1.weight.isContiguous(), true);
    // contiguous -> channels-last: the target keeps its layout
    manualSeed(10);
    const target = resnet(18, { numClasses: 4, widthMultiplier: 0.25 }).to({ memoryFormat: 'channelsLast' });
    tidy(() => target.loadStateDict(plain.stateDict()));
    assert.equal(target.conv1.weight.isContiguous('channelsLast'), true);
    tidy(() => assert.deepEqual(target.conv1.weight.toNumbers(), plain.conv1.weight.toNumbers()));
    for (const m of [cl, plain, other, target]) m.dispose();
  });
});
