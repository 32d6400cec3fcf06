import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros } from '../../src/core/index.js';
import { CosineAnnealingLR, LinearWarmup, MultiStepLR, SGD, StepLR } from '../../src/optim/index.js';
import { withLeakCheck } from '../helpers/leak.js';

function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${what}: got ${actual}, expected ${expected}`);
}

test('StepLR: base·gamma^floor(step/stepSize)', () => {
  const s = new StepLR({ stepSize: 30, gamma: 0.1 });
  near(s.lrAt(0, 0.1), 0.1, 'epoch 0');
  near(s.lrAt(29, 0.1), 0.1, 'epoch 29');
  near(s.lrAt(30, 0.1), 0.01, 'epoch 30');
  near(s.lrAt(65, 0.1), 0.001, 'epoch 65');
  near(s.lrAt(29.99, 0.1), 0.1, 'fractional epoch 29.99');
  near(new StepLR({ stepSize: 2 }).lrAt(4, 1), 0.01, 'default gamma 0.1');
});

test('MultiStepLR: gamma per milestone reached, any milestone order', () => {
  const s = new MultiStepLR({ milestones: [40, 20], gamma: 0.5 });
  const expected: Array<[number, number]> = [[0, 1], [19, 1], [20, 0.5], [39, 0.5], [40, 0.25], [100, 0.25]];
  for (const [e, v] of expected) near(s.lrAt(e, 1), v, `epoch ${e}`);
  near(new MultiStepLR({ milestones: [3, 3] }).lrAt(3, 1), 0.01, 'a repeated milestone counts twice (torch)');
});

test('CosineAnnealingLR: etaMin + (base − etaMin)(1 + cos(π t/T))/2, held at etaMin after T', () => {
  const s = new CosineAnnealingLR({ tMax: 100 });
  near(s.lrAt(0, 0.1), 0.1, 't=0');
  near(s.lrAt(25, 0.1), 0.1 * (1 + Math.SQRT1_2) / 2, 't=25'); // 0.0853553390593...
  near(s.lrAt(25, 0.1), 0.08535533905932738, 't=25 (number)');
  near(s.lrAt(50, 0.1), 0.05, 't=50');
  near(s.lrAt(100, 0.1), 0, 't=100');
  const m = new CosineAnnealingLR({ tMax: 100, etaMin: 0.001 });
  near(m.lrAt(50, 0.1), 0.0505, 'etaMin, t=50');
  near(m.lrAt(100, 0.1), 0.001, 'etaMin, t=100');
  near(m.lrAt(150, 0.1), 0.001, 'etaMin, past tMax');
  near(s.lrAt(12.5, 0.1), 0.05 * (1 + Math.cos(Math.PI / 8)), 'fractional step');
});

test('LinearWarmup: linear from startFactor·base, then the inner schedule from its own step 0', () => {
  const s = new LinearWarmup({ steps: 5, startFactor: 0.2, then: new CosineAnnealingLR({ tMax: 10 }) });
  const expected: Array<[number, number]> = [[0, 0.2], [1, 0.36], [2.5, 0.6], [4, 0.84], [5, 1], [10, 0.5], [15, 0], [20, 0]];
  for (const [e, v] of expected) near(s.lrAt(e, 1), v, `step ${e}`);
  const plain = new LinearWarmup({ steps: 3 });
  near(plain.lrAt(0, 0.3), 0.1, 'default startFactor 1/3 (torch LinearLR)');
  near(plain.lrAt(3, 0.3), 0.3, 'no inner: base after warm-up');
  near(plain.lrAt(1000, 0.3), 0.3, 'no inner: base long after');
});

test('apply() scales each group\'s initial lr (backbone/head ratio kept) and is pure in the step', async () => {
  await withLeakCheck(() => {
    const backbone = zeros([2], { requiresGrad: true });
    const head = zeros([2], { requiresGrad: true });
    const opt = new SGD([{ params: [backbone], lr: 0.001 }, { params: [head] }], { lr: 0.01, momentum: 0.9 });
    const cos = new CosineAnnealingLR({ tMax: 100 });
    const lrs = cos.apply(opt, 50);
    near(lrs[0]!, 0.0005, 'backbone');
    near(lrs[1]!, 0.005, 'head');
    assert.deepEqual(opt.getLr(), lrs);
    // Resuming at step 73 is the same as stepping through 0..73.
    for (let e = 0; e <= 73; e++) cos.apply(opt, e);
    const stepped = opt.getLr();
    opt.setLr(42);
    assert.deepEqual(cos.apply(opt, 73), stepped);
    assert.deepEqual(cos.lrsAt(73, [0.001, 0.01]), stepped);
    near(stepped[1]! / stepped[0]!, 10, 'ratio');
    opt.dispose();
    backbone.dispose();
    head.dispose();
  });
});

test('schedules reject bad arguments with the value named', () => {
  assert.throws(() => new StepLR({ stepSize: 0 }), /stepSize must be > 0, got 0/);
  assert.throws(() => new MultiStepLR({ milestones: [-1] }), /milestones must be/);
  assert.throws(() => new CosineAnnealingLR({ tMax: 0 }), /tMax must be > 0/);
  assert.throws(() => new LinearWarmup({ steps: 5, startFactor: 2 }), /startFactor must be in \[0, 1\], got 2/);
  assert.throws(() => new StepLR({ stepSize: 3 }).lrAt(-1, 0.1), /step must be a finite number >= 0, got -1/);
});
