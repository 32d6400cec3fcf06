// Module: registration, PyTorch names, modes, state dicts, conversion and ownership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory, noGrad, ones, randn, tensor, tidy, zeros, type Tensor } from '../../src/core/index.js';
import { BatchNorm2d, Conv2d, Dropout, Linear, Module, ReLU, Sequential } from '../../src/nn/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

/** conv -> bn -> relu -> head(Sequential(linear, dropout)), with a scale parameter and a non-persistent buffer. */
class Net extends Module {
  declare conv: Conv2d;
  declare bn: BatchNorm2d;
  declare act: ReLU;
  declare head: Sequential;
  declare scale: Tensor;
  declare cache: Tensor;

  constructor(width = 4) {
    super();
    this.registerModule('conv', new Conv2d(2, width, 3, { padding: 1 }));
    this.registerModule('bn', new BatchNorm2d(width));
    this.registerModule('act', new ReLU());
    this.registerModule('head', new Sequential(new Linear(width, 3), new Dropout(0.5)));
    this.registerParameter('scale', ones([1]));
    this.registerBuffer('cache', zeros([2]), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    return tidy(() => {
      const f = this.act.forward(this.bn.forward(this.conv.forward(x))).mean([2, 3]);
      return this.head.forward(f).mul(this.scale);
    });
  }
}

test('names, traversal and counts follow PyTorch', leakFreeTidy(() => {
  const net = new Net();
  assert.deepEqual(net.namedParameters().map(([n]) => n), [
    'scale', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'head.0.weight', 'head.0.bias',
  ]);
  assert.deepEqual(net.namedBuffers().map(([n]) => n), ['cache', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']);
  assert.deepEqual([...tidy(() => [...net.stateDict().keys()])], [
    'scale', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'head.0.weight', 'head.0.bias',
  ]);
  assert.deepEqual(net.namedChildren().map(([n]) => n), ['conv', 'bn', 'act', 'head']);
  assert.deepEqual(net.namedModules().map(([n]) => n), ['', 'conv', 'bn', 'act', 'head', 'head.0', 'head.1']);
  assert.equal(net.modules().length, 7);
  assert.deepEqual(net.namedParameters('', false).map(([n]) => n), ['scale']);
  assert.equal(net.numParameters(), 1 + 4 * 2 * 9 + 4 + 4 + 4 + 3 * 4 + 3);
  for (const p of net.parameters()) {
    assert.equal(p.requiresGrad, true);
    assert.equal(p.isLeaf, true);
  }
  assert.equal(net.bn.num_batches_tracked!.requiresGrad, false);
  assert.ok(net.head.at(0) instanceof Linear);
  assert.match(net.toString(), /Net\(\n {2}\(conv\): Conv2d\(2, 4, kernelSize=\[3, 3\].*\n {2}\(bn\): BatchNorm2d\(4,/);
  net.dispose();
}));

test('parameters created inside tidy() survive it; dispose() releases all of them', () => {
  const before = memory().tensors;
  const net = tidy(() => new Net());
  const count = net.parameters().length + net.buffers().length;
  assert.equal(memory().tensors - before, count, 'only parameters and buffers remain');
  assert.equal(net.conv.weight.isDisposed, false);
  net.dispose();
  net.dispose();
  assert.equal(memory().tensors, before);
  assert.equal(net.conv.weight.isDisposed, true);
});

test('train() / eval() switch every descendant; Dropout and BatchNorm behave accordingly', leakFreeTidy(() => {
  const net = new Net();
  assert.ok(net.modules().every((m) => m.training));
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  const x = randn([2, 2, 5, 5]);
  const a = net.forward(x).toNumbers();
  const b = net.forward(x).toNumbers();
  assert.deepEqual(a, b, 'eval mode is deterministic');
  assert.equal(net.bn.num_batches_tracked!.item(), 0);
  net.train();
  assert.ok(net.head.at(1).training);
  net.forward(x);
  assert.equal(net.bn.num_batches_tracked!.item(), 1);
  net.train(false);
  assert.equal(net.bn.training, false);
  net.dispose();
}));

test('zeroGrad() clears gradients; requiresGrad_(false) freezes', leakFreeTidy(() => {
  const net = new Net();
  tidy(() => net.forward(randn([2, 2, 4, 4])).sum().backward());
  assert.ok(net.parameters().every((p) => tidy(() => p.grad !== null)));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
  net.conv.requiresGrad_(false);
  assert.equal(net.numParameters({ trainableOnly: true }), net.numParameters() - 4 * 2 * 9 - 4);
  tidy(() => net.forward(randn([2, 2, 4, 4])).sum().backward());
  assert.equal(net.conv.weight.grad, null);
  net.dispose();
}));

test('stateDict round trip reproduces the outputs; its handles are the caller\'s', leakFreeTidy(() => {
  const a = new Net().eval();
  const b = new Net().eval();
  noGrad(() => a.bn.running_mean!.fill_(0.3));
  const x = randn([2, 2, 5, 5]);
  assert.notDeepEqual(a.forward(x).toNumbers(), b.forward(x).toNumbers());
  const bWeight = b.conv.weight;
  tidy(() => {
    const sd = a.stateDict();
    assert.equal(sd.size, 10);
    assert.ok(!sd.has('cache'), 'non-persistent buffers are left out');
    assert.equal(sd.get('conv.weight')!.requiresGrad, false);
    const res = b.loadStateDict(sd);
    assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  });
  assert.equal(a.conv.weight.isDisposed, false, 'disposing the state dict leaves the model intact');
  assert.equal(b.conv.weight, bWeight, 'loading copies in place');
  assert.deepEqual(a.forward(x).toNumbers(), b.forward(x).toNumbers());
  assert.deepEqual(b.bn.running_mean!.toNumbers(), [0.3, 0.3, 0.3, 0.3].map(Math.fround));
  // Values convert to the parameter dtype; plain objects are accepted.
  b.loadStateDict({ scale: tensor([2], { dtype: 'float64' }) }, { strict: false });
  assert.equal(b.scale.dtype, 'float32');
  assert.deepEqual(b.scale.toNumbers(), [2]);
  a.dispose();
  b.dispose();
}));

test('strict loadStateDict reports missing, unexpected and mismatched keys together and loads nothing', leakFreeTidy(() => {
  const net = new Net();
  const before = net.conv.weight.toNumbers();
  tidy(() => {
    const source = new Net(4);
    const sd = source.stateDict();
    source.dispose();
    sd.get('conv.bias')!.dispose();
    sd.delete('conv.bias');
    sd.delete('bn.running_var');
    sd.set('extra.weight', zeros([1]));
    sd.get('head.0.weight')!.dispose();
    sd.set('head.0.weight', zeros([3, 5]));
    sd.set('conv.weight', ones([4, 2, 3, 3]));
    let message = '';
    assert.throws(() => net.loadStateDict(sd), (e: Error) => {
      message = e.message;
      return true;
    });
    assert.match(message, /^Net\.loadStateDict: the state dict does not match the model \(nothing was loaded\)/);
    assert.match(message, /missing keys \(2\): conv\.bias, bn\.running_var/);
    assert.match(message, /unexpected keys \(1\): extra\.weight/);
    assert.match(message, /shape mismatch \(1\): head\.0\.weight: checkpoint \[3, 5\] vs model \[3, 4\]/);
    assert.deepEqual(net.conv.weight.toNumbers(), before, 'nothing was copied');
    // Non-strict still refuses shape mismatches (as PyTorch)...
    assert.throws(() => net.loadStateDict(sd, { strict: false }), /shape mismatch \(1\)[^]*shapes must match even with \{ strict: false \}/);
    // ...and otherwise loads what matches and reports the rest.
    sd.get('head.0.weight')!.dispose();
    sd.delete('head.0.weight');
    const res = net.loadStateDict(sd, { strict: false });
    assert.deepEqual(res.missingKeys.sort(), ['bn.running_var', 'conv.bias', 'head.0.weight']);
    assert.deepEqual(res.unexpectedKeys, ['extra.weight']);
    assert.deepEqual(net.conv.weight.toNumbers(), new Array(72).fill(1));
  });
  net.dispose();
}));

test('BatchNorm num_batches_tracked may be absent from a checkpoint (old model zoos)', leakFreeTidy(() => {
  const bn = new BatchNorm2d(3);
  const sd = { weight: ones([3]), bias: zeros([3]), running_mean: ones([3]), running_var: ones([3]) };
  assert.deepEqual(bn.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
  assert.deepEqual(bn.running_mean!.toNumbers(), [1, 1, 1]);
  bn.dispose();
}));

test('to(float64) converts floating tensors only and keeps parameters trainable leaves', leakFreeTidy(() => {
  const net = new Net();
  const before = memory().tensors;
  net.to('float64');
  assert.equal(memory().tensors, before, 'old tensors are disposed');
  for (const p of net.parameters()) {
    assert.equal(p.dtype, 'float64');
    assert.equal(p.requiresGrad, true);
    assert.equal(p.isLeaf, true);
  }
  assert.equal(net.bn.running_mean!.dtype, 'float64');
  assert.equal(net.bn.num_batches_tracked!.dtype, 'int64');
  assert.equal(net.forward(randn([1, 2, 3, 3], { dtype: 'float64' })).dtype, 'float64');
  assert.throws(() => net.to('int32'), /only floating-point dtypes/);
  net.dispose();
}));

test('registration rules: property access, reassignment, shared tensors, bad names', leakFreeTidy(() => {
  class Tied extends Module {
    declare a: Linear;
    declare b: Linear;
    constructor() {
      super();
      this.registerModule('a', new Linear(3, 3));
      this.registerModule('b', new Linear(3, 3, { bias: false }));
    }
    forward(x: Tensor): Tensor {
      return this.b.forward(this.a.forward(x));
    }
  }
  const m = new Tied();
  const old = m.b.weight;
  m.b.weight = m.a.weight; // weight tying: listed once, stored under both names
  old.dispose();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['a.weight', 'a.bias']);
  assert.equal(tidy(() => m.stateDict().size), 3);
  assert.throws(() => m.registerParameter('a', ones([1])), /cannot register parameter 'a': already registered as a module/);
  assert.throws(() => m.registerParameter('x.y', ones([1])), /must not contain '\.'/);
  assert.throws(() => m.registerModule('forward', new ReLU()), /taken by a method or property/);
  assert.throws(() => m.registerParameter('p', tidy(() => ones([2], { requiresGrad: true }).mul(2))), /must be a leaf tensor/);
  assert.throws(() => m.registerParameter('q', zeros([2], { dtype: 'int64' })), /must be floating point/);
  m.registerModule('b', null);
  assert.deepEqual(m.namedChildren().map(([n]) => n), ['a']);
  assert.equal(m.b, null);
  m.dispose();
}));

test('child modules assigned to plain fields are discovered under the field name', leakFreeTidy(() => {
  class Head extends Module {
    conv = new Conv2d(3, 4, 1);
    fc: Linear;
    notAModule = 3;
    constructor() {
      super();
      this.fc = new Linear(4, 2);
    }
    forward(x: Tensor): Tensor {
      return this.fc.forward(this.conv.forward(x).mean([2, 3]));
    }
  }
  const h = new Head();
  assert.deepEqual(h.namedParameters().map(([n]) => n), ['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']);
  assert.deepEqual([...h.stateDict().keys()], ['conv.weight', 'conv.bias', 'fc.weight', 'fc.bias']);
  const other = new Linear(4, 2);
  h.fc.dispose();
  h.fc = other; // the field is now the registry entry
  assert.equal(h.namedChildren()[1]![1], other);
  h.eval();
  assert.equal(other.training, false);
  h.dispose();
  assert.equal(other.weight.isDisposed, true);
}));
