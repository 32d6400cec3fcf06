// Fused inference: BatchNorm folded into prepacked oneDNN convolutions (src/nn/inferenceFusion.ts,
// native/prepackedConv.cc) gives the plain path's outputs to float rounding, in both layouts,
// for ResNet-18/50 and WildcatNet, rebuilds its packed weights whenever they would be stale, and
// is only taken in eval mode with gradients off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, PrepackedConv2d, prepackedConvAvailable, randn, tensorVersion, tidy, type MemoryFormat, type Tensor } from '../../src/core/index.js';
import { resnet, Conv2d, BatchNorm2d, Sequential, type Module } from '../../src/nn/index.js';
import { FusedConvBn, fusedInferenceActive, setInferenceFusion, inferenceFusionEnabled } from '../../src/nn/inferenceFusion.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import { leakFree } from '../helpers/leak.js';
import { assertClose } from '../helpers/assertTensor.js';

const skip = prepackedConvAvailable() ? false : 'this libtorch has no oneDNN';

/** Gives BatchNorm non-trivial running statistics and affine parameters, then eval mode. */
function trainedLooking(m: Module): void {
  m.train();
  tidy(() => noGrad(() => {
    for (let i = 0; i < 3; i++) (m as { forward(x: Tensor): Tensor }).forward(randn([4, 3, 48, 48]).mul(2).add(0.5));
    for (const [name, p] of m.namedParameters()) if (name.includes('bn') || name.includes('downsample.1')) p.copy_(randn(p.shape).mul(0.3).add(1));
  }));
  m.eval();
}

/** The network's eval-mode output on x with fusion off and on. */
function bothPaths(forward: (x: Tensor) => Tensor, x: Tensor): [number[], number[]] {
  try {
    setInferenceFusion(false);
    const plain = tidy(() => noGrad(() => forward(x).toNumbers()));
    setInferenceFusion(true);
    const fused = tidy(() => noGrad(() => forward(x).toNumbers()));
    return [plain, fused];
  } finally {
    setInferenceFusion(false);
  }
}

for (const memoryFormat of ['contiguous', 'channelsLast'] as MemoryFormat[]) {
  for (const depth of [18, 50] as const) {
    test(`ResNet-${depth} (${memoryFormat}): fused inference equals the plain path`, { skip }, () => {
      leakFree(() => {
        manualSeed(1);
        const net = resnet(depth, { numClasses: 7, widthMultiplier: 0.25 }).to({ memoryFormat });
        trainedLooking(net);
        const x = tidy(() => randn([2, 3, 40, 40]).contiguous({ memoryFormat }));
        const [plain, fused] = bothPaths((v) => net.forward(v), x);
        assertClose(fused, plain, { atol: 1e-4, rtol: 1e-4 });
        // Another shape (a partial batch) packs again and still agrees.
        const y = tidy(() => randn([1, 3, 32, 48]).contiguous({ memoryFormat }));
        const [plainY, fusedY] = bothPaths((v) => net.forward(v), y);
        assertClose(fusedY, plainY, { atol: 1e-4, rtol: 1e-4 });
        net.dispose();
        x.dispose();
        y.dispose();
      });
    });
  }
}

test('fused inference: grouped convolutions (ResNeXt) and a BatchNorm without affine parameters', { skip }, () => {
  leakFree(() => {
    manualSeed(9);
    const net = resnet(50, { numClasses: 5, widthMultiplier: 0.25, groups: 4, widthPerGroup: 8 }).to({ memoryFormat: 'channelsLast' });
    trainedLooking(net);
    const x = tidy(() => randn([2, 3, 40, 40]).contiguous({ memoryFormat: 'channelsLast' }));
    const [plain, fused] = bothPaths((v) => net.forward(v), x);
    assertClose(fused, plain, { atol: 1e-4, rtol: 1e-4 });
    const conv = new Conv2d(3, 4, 3, { padding: 1, bias: false });
    const bn = new BatchNorm2d(4, { affine: false });
    const seq = new Sequential(conv, bn);
    trainedLooking(seq);
    const f = new FusedConvBn(conv, bn, 'none');
    tidy(() => noGrad(() => assertClose(f.forward(x).toNumbers(), bn.forward(conv.forward(x)).toNumbers(), { atol: 1e-5, rtol: 1e-5 })));
    f.release();
    net.dispose();
    seq.dispose();
    x.dispose();
  });
});

test('WildcatNet (dilated, channels-last): fused class maps and scores equal the plain ones', { skip }, () => {
  leakFree(() => {
    manualSeed(2);
    const net = buildWildcatNet({
      backbone: { depth: 18, widthMultiplier: 0.25, outputStride: 16 },
      numClasses: 3, maps: 2, classWise: 'mean', pooling: { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7 }, architecture: 'maps',
    }).to({ memoryFormat: 'channelsLast' });
    trainedLooking(net.backbone);
    net.eval();
    const x = tidy(() => randn([2, 3, 64, 64]).contiguous({ memoryFormat: 'channelsLast' }));
    const [plainMaps, fusedMaps] = bothPaths((v) => net.forwardMaps(v).classMaps, x);
    assertClose(fusedMaps, plainMaps, { atol: 1e-4, rtol: 1e-4 });
    const [plain, fused] = bothPaths((v) => net.forward(v), x);
    assertClose(fused, plain, { atol: 1e-4, rtol: 1e-4 });
    net.dispose();
    x.dispose();
  });
});

test('fused inference: packed weights are rebuilt after an in-place write, a state dict load, or training', { skip }, () => {
  leakFree(() => {
    manualSeed(4);
    const net = resnet(18, { numClasses: 4, widthMultiplier: 0.25 });
    trainedLooking(net);
    const x = randn([2, 3, 32, 32]);
    // The fused output, checked against the plain path of the network as it is now.
    const fusedMatchesPlain = (): number[] => {
      const [plain, fused] = bothPaths((v) => net.forward(v), x);
      assertClose(fused, plain, { atol: 1e-4, rtol: 1e-4 });
      return fused;
    };
    const before = fusedMatchesPlain();
    // An in-place write to a BN buffer (the running variance of the stem).
    noGrad(() => net.bn1.running_var!.mul_(4));
    assert.ok(tensorVersion(net.bn1.running_var!) > 0);
    assert.notDeepEqual(fusedMatchesPlain(), before);
    // Loading another network's weights.
    manualSeed(5);
    const other = resnet(18, { numClasses: 4, widthMultiplier: 0.25 });
    trainedLooking(other);
    tidy(() => net.loadStateDict(other.stateDict()));
    fusedMatchesPlain();
    // A training step changes the weights; eval() afterwards packs them again.
    net.train();
    tidy(() => net.forward(x).square().sum().backward());
    tidy(() => noGrad(() => { for (const p of net.parameters()) if (p.grad) p.sub_(p.grad.mul(0.05)); }));
    net.zeroGrad();
    net.eval();
    fusedMatchesPlain();
    net.dispose();
    other.dispose();
    x.dispose();
  });
});

test('fused inference follows a replaced layer and a change of dtype', { skip }, () => {
  leakFree(() => {
    manualSeed(7);
    const net = resnet(18, { numClasses: 3, widthMultiplier: 0.25 });
    trainedLooking(net);
    const x = randn([2, 3, 32, 32]);
    const compare = (): void => {
      const [plain, fused] = bothPaths((v) => net.forward(v), x);
      assertClose(fused, plain, { atol: 1e-4, rtol: 1e-4 });
    };
    compare();
    // A layer replaced by assignment: the block fuses the new one, not the one it packed.
    const block = net.layer2.at(0) as unknown as { conv2: Conv2d };
    const old = block.conv2;
    manualSeed(8);
    block.conv2 = new Conv2d(old.inChannels, old.outChannels, 3, { padding: 1, bias: false });
    old.dispose();
    compare();
    // float64 is not packed (plain path); back to float32 it is again, with the converted weights.
    net.to('float64');
    const x64 = x.to('float64');
    const [plain64, fused64] = bothPaths((v) => net.forward(v), x64);
    assert.deepEqual(fused64, plain64, 'float64 runs the plain path');
    net.to('float32');
    compare();
    net.dispose();
    x.dispose();
    x64.dispose();
  });
});

test('fused inference is taken only when on, in eval mode, with gradients off', { skip }, () => {
  leakFree(() => {
    const m = new Sequential(new Conv2d(3, 4, 3), new BatchNorm2d(4));
    assert.equal(inferenceFusionEnabled(), false, 'off unless set (library default)');
    m.eval();
    assert.equal(noGrad(() => fusedInferenceActive(m)), false);
    setInferenceFusion(true);
    try {
      assert.equal(fusedInferenceActive(m), false, 'gradients on');
      assert.equal(noGrad(() => fusedInferenceActive(m)), true);
      m.train();
      assert.equal(noGrad(() => fusedInferenceActive(m)), false, 'training mode');
      // In training mode under grad, a ResNet still trains (the fused path has no autograd).
      const net = resnet(18, { numClasses: 2, widthMultiplier: 0.25 });
      tidy(() => {
        net.forward(randn([2, 3, 32, 32])).sum().backward();
        assert.ok(net.conv1.weight.grad !== null);
      });
      net.dispose();
    } finally {
      setInferenceFusion(false);
    }
    assert.throws(() => setInferenceFusion('yes' as never), /expected true or false/);
    m.dispose();
  });
});

test('FusedConvBn: folds a conv with bias, refuses what it cannot fold; PrepackedConv2d checks its input', { skip }, () => {
  leakFree(() => {
    manualSeed(6);
    const conv = new Conv2d(3, 5, 3, { padding: 1, bias: true });
    const bn = new BatchNorm2d(5);
    const seq = new Sequential(conv, bn);
    trainedLooking(seq);
    const x = randn([2, 3, 9, 11]);
    const f = new FusedConvBn(conv, bn, 'relu');
    tidy(() => noGrad(() => assertClose(f.forward(x).toNumbers(), bn.forward(conv.forward(x)).relu().toNumbers(), { atol: 1e-5, rtol: 1e-5 })));
    // Strided views (neither contiguous nor channels-last) give the same result as the plain path.
    tidy(() => noGrad(() => {
      for (const v of [x.transpose(2, 3), x.narrow(3, 1, 8)]) {
        assert.equal(v.isContiguous() || v.isContiguous('channelsLast'), false);
        assertClose(f.forward(v).toNumbers(), bn.forward(conv.forward(v)).relu().toNumbers(), { atol: 1e-5, rtol: 1e-5 });
      }
    }));
    // More shapes than it keeps (ten sizes, then the first again): evicted shapes pack anew.
    tidy(() => noGrad(() => {
      for (const side of [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 5]) {
        const v = randn([1, 3, side, side + 1]);
        assertClose(f.forward(v).toNumbers(), bn.forward(conv.forward(v)).relu().toNumbers(), { atol: 1e-5, rtol: 1e-5 });
      }
    }));
    f.release();
    const same = new Conv2d(3, 5, 3, { padding: 'same' });
    const batchStats = new BatchNorm2d(5, { trackRunningStats: false });
    assert.equal(FusedConvBn.supports(same, bn), false, "padding 'same'");
    assert.equal(FusedConvBn.supports(conv, batchStats), false, 'no running statistics');
    same.dispose();
    batchStats.dispose();
    const packed = tidy(() => noGrad(() => new PrepackedConv2d(conv.weight, conv.bias, { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }, [2, 3, 9, 11])));
    tidy(() => noGrad(() => {
      assert.throws(() => packed.run(randn([1, 3, 9, 11])), (e: Error) => e instanceof RangeError && /shape \[1, 3, 9, 11\].*packed for \[2, 3, 9, 11\]/.test(e.message));
      assert.throws(() => packed.run(randn([2, 3, 9, 11], { dtype: 'float64' })), /float32/);
    }));
    tidy(() => assert.throws(() => packed.run(x), /inference only/));
    packed.release();
    tidy(() => noGrad(() => assert.throws(() => packed.run(x), /after release/)));
    assert.throws(() => new PrepackedConv2d(conv.weight, null, { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 }, [2, 3, 9]), /inputShape must be \[N, C, H, W\]/);
    const geometry = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 } as const;
    assert.throws(() => new PrepackedConv2d(conv.weight, null, geometry, [2, 3, 9, 11], 'gelu' as never), (e: Error) => e instanceof RangeError && /activation: expected 'none' or 'relu', got 'gelu'/.test(e.message));
    tidy(() => assert.throws(() => new PrepackedConv2d(conv.weight.reshape([5, 27]), null, geometry, [2, 3, 9, 11]), /weight must be a float32 \[out, in\/groups, kh, kw\] tensor/));
    assert.throws(() => new PrepackedConv2d(conv.weight, null, { ...geometry, stride: [1] as never }, [2, 3, 9, 11]), (e: Error) => e instanceof RangeError && /stride: expected 2 integers, got 1/.test(e.message));
    seq.dispose();
    x.dispose();
  });
});
