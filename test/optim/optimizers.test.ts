import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory, tensor, tidy, zeros } from '../../src/core/index.js';
import { Adam, AdamW, SGD, type Optimizer, type BaseHyperParams } from '../../src/optim/index.js';
import { runsBySize } from '../../src/optim/foreach.js';
import { withLeakCheck } from '../helpers/leak.js';
import { groupsOf, lossAndBackward, makeData, makeParams, reference, type Params, type ReferenceCase } from './reference.js';

function build(c: ReferenceCase, p: Params, foreach: boolean): Optimizer<BaseHyperParams> {
  const groups = groupsOf(c, p) as never;
  const opts = { ...c.defaults, foreach } as never;
  if (c.optimizer === 'SGD') return new SGD(groups, opts);
  if (c.optimizer === 'Adam') return new Adam(groups, opts);
  return new AdamW(groups, opts);
}

function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `${what}[${i}]: got ${a}, torch ${e} (tolerance ${tol})`);
  }
}

function disposeParams(p: Params): void {
  for (const t of Object.values(p)) t.dispose();
}

for (const [name, c] of Object.entries(reference.cases)) {
  for (const foreach of [false, true]) {
    test(`${name} (${foreach ? 'foreach' : 'per-parameter'}) matches torch.optim.${c.optimizer} ${reference.torch} for ${reference.steps} steps`, async () => {
      await withLeakCheck(() => {
        const tol = c.dtype === 'float64' ? 1e-12 : 2e-6;
        const p = makeParams(c.dtype);
        const d = makeData(c.dtype);
        const opt = build(c, p, foreach);
        c.steps.forEach((ref, s) => {
          opt.zeroGrad();
          const loss = lossAndBackward(p, d, s);
          assertClose([loss], [ref.loss], tol, `${name} step ${s} loss`);
          opt.step();
          for (const k of ['A', 'B', 'C'] as const) assertClose(p[k].toNumbers(), ref.params[k]!, tol, `${name} step ${s} ${k}`);
        });
        // Final state against torch's, by PyTorch's state names.
        const { tensors, meta } = opt.stateDict();
        const names = ['A', 'B', 'C'];
        for (const [pname, st] of Object.entries(c.finalState)) {
          const i = names.indexOf(pname);
          for (const [key, val] of Object.entries(st)) {
            if (key === 'step') assert.equal(meta.state[String(i)]?.step, val, `${name} ${pname} step count`);
            else assertClose(tensors[`state.${i}.${key}`]!.toNumbers(), val as number[], tol, `${name} ${pname} ${key}`);
          }
          const ours = Object.keys(tensors).filter((k) => k.startsWith(`state.${i}.`)).map((k) => k.slice(`state.${i}.`.length)).sort();
          const theirs = Object.keys(st).filter((k) => k !== 'step').sort();
          assert.deepEqual(ours, theirs, `${name} ${pname}: state tensor names`);
        }
        for (const t of Object.values(tensors)) t.dispose();
        opt.dispose();
        disposeParams(p);
        for (const t of Object.values(d)) t.dispose();
      });
    });
  }
}

test('foreach and per-parameter updates are bit-identical in float32', async () => {
  await withLeakCheck(() => {
    for (const name of ['sgd_momentum_f32', 'sgd_nesterov', 'adam_f32', 'adam_amsgrad', 'adamw']) {
      const c = { ...reference.cases[name]!, dtype: 'float32' as const };
      // Per-parameter, foreach in one run, foreach in runs of <= 4 elements (A, B, C apart).
      const runs = ([[false, 0], [true, 65536], [true, 4]] as const).map(([foreach, budget]) => {
        const p = makeParams('float32');
        const d = makeData('float32');
        const opt = build(c, p, foreach) as SGD | Adam;
        opt.foreachBudget = budget;
        for (let s = 0; s < 5; s++) {
          opt.zeroGrad();
          lossAndBackward(p, d, s);
          opt.step();
        }
        const out = (['A', 'B', 'C'] as const).map((k) => p[k].toNumbers());
        opt.dispose();
        disposeParams(p);
        for (const t of Object.values(d)) t.dispose();
        return out;
      });
      assert.deepEqual(runs[1], runs[0], `${name}: foreach differs from per-parameter`);
      assert.deepEqual(runs[2], runs[0], `${name}: foreach in small runs differs from per-parameter`);
    }
  });
});

test('SGD with momentum trains logistic regression to the loss torch reaches', async () => {
  await withLeakCheck(() => {
    const tr = reference.training;
    const X = tensor(tr.X, { dtype: 'float64' });
    const y = tensor(tr.y, { dtype: 'float64' });
    const w = zeros([3], { dtype: 'float64', requiresGrad: true });
    const b = zeros([1], { dtype: 'float64', requiresGrad: true });
    const opt = new SGD([w, b], { lr: tr.lr, momentum: tr.momentum });
    const lossOf = (backward: boolean): number =>
      tidy(() => {
        const z = X.matmul(w).add(b);
        const loss = y.mul(z.logSigmoid()).add(y.neg().add(1).mul(z.neg().logSigmoid())).mean().neg();
        if (backward) loss.backward();
        return loss.item();
      });
    for (let s = 0; s < tr.steps; s++) {
      opt.zeroGrad();
      const l = lossOf(true);
      assert.ok(Math.abs(l - tr.losses[s]!) < 1e-9, `step ${s}: loss ${l}, torch ${tr.losses[s]}`);
      opt.step();
    }
    const final = lossOf(false);
    assert.ok(Math.abs(final - tr.finalLoss) < 1e-9, `final loss ${final}, torch ${tr.finalLoss}`);
    assert.ok(final < 0.15, `final loss ${final} should be below 0.15 (from ln 2 = 0.693)`);
    assertClose(w.toNumbers(), tr.w, 1e-9, 'w');
    opt.dispose();
    for (const t of [X, y, w, b]) t.dispose();
  });
});

/** Runs `steps` steps of the reference problem starting at step `from`. */
function run(opt: Optimizer<BaseHyperParams>, p: Params, from: number, steps: number): void {
  const d = makeData(p.A.dtype);
  for (let s = from; s < from + steps; s++) {
    opt.zeroGrad();
    lossAndBackward(p, d, s);
    opt.step();
  }
  for (const t of Object.values(d)) t.dispose();
}

for (const name of ['sgd_weight_decay', 'adam_amsgrad', 'adamw']) {
  test(`${name}: state dict round trip (through JSON and plain arrays) gives identical subsequent steps`, async () => {
    await withLeakCheck(() => {
      const c = reference.cases[name]!;
      const p = makeParams('float32');
      const opt = build(c, p, true);
      run(opt, p, 0, 3);
      // Save as the trainer would: tensor data + JSON, then rebuild everything from that.
      const sd = opt.stateDict();
      const saved = Object.fromEntries(Object.entries(sd.tensors).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.toArray() as Float32Array) }]));
      const metaJson = JSON.stringify(sd.meta);
      const paramsJson = (['A', 'B', 'C'] as const).map((k) => ({ shape: p[k].shape, data: Array.from(p[k].toArray() as Float32Array) }));
      for (const t of Object.values(sd.tensors)) t.dispose();

      const q = {} as Params;
      (['A', 'B', 'C'] as const).forEach((k, i) => (q[k] = tensor(new Float32Array(paramsJson[i]!.data), { shape: paramsJson[i]!.shape, requiresGrad: true })));
      // A fresh optimizer with other hyper-parameters: loading restores the saved ones.
      const opt2 = build({ ...c, defaults: { ...c.defaults, lr: 123 } }, q, false);
      const loaded = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, tensor(new Float32Array(v.data), { shape: v.shape })]));
      opt2.loadStateDict({ tensors: loaded, meta: JSON.parse(metaJson) });
      for (const t of Object.values(loaded)) t.dispose(); // the optimizer copied them
      assert.deepEqual(opt2.getLr(), opt.getLr());

      run(opt, p, 3, 2);
      run(opt2, q, 3, 2);
      for (const k of ['A', 'B', 'C'] as const) assert.deepEqual(q[k].toNumbers(), p[k].toNumbers(), `${name}: ${k} after resume`);
      opt.dispose();
      opt2.dispose();
      disposeParams(p);
      disposeParams(q);
    });
  });
}

for (const [name, foreach, budget] of [['adam_amsgrad', true, 4], ['adam_amsgrad', false, 0], ['adamw', true, 65536], ['sgd_nesterov', true, 4], ['sgd_weight_decay', true, 65536], ['sgd_weight_decay', false, 0]] as const) {
  test(`${name} (${foreach ? `foreach, runs of ${budget}` : 'per-parameter'}): steps leak nothing; live tensors after N steps equal those after 1`, async () => {
    await withLeakCheck(() => {
      const c = reference.cases[name]!;
      const p = makeParams('float32');
      const d = makeData('float32');
      const opt = build(c, p, foreach) as SGD | Adam;
      opt.foreachBudget = budget;
      opt.zeroGrad();
      lossAndBackward(p, d, 0);
      opt.step();
      const afterOne = memory().tensors;
      for (let s = 1; s < 8; s++) {
        opt.zeroGrad();
        lossAndBackward(p, d, s);
        opt.step();
      }
      assert.equal(memory().tensors, afterOne, 'live tensors after 8 steps vs after 1');
      const stateCount = tidy(() => Object.keys(opt.stateDict().tensors).length); // the aliases die with the scope
      assert.ok(stateCount > 0);
      opt.dispose();
      disposeParams(p);
      for (const t of Object.values(d)) t.dispose();
    });
  });
}

test('runsBySize groups consecutive tensors up to a budget of elements', async () => {
  await withLeakCheck(() => {
    const ts = [[3], [2], [10], [1], [1], [4]].map((s) => zeros(s));
    assert.deepEqual(runsBySize(ts, 5), [[0, 2], [2, 3], [3, 5], [5, 6]]);
    assert.deepEqual(runsBySize(ts, Infinity), [[0, 6]]);
    assert.deepEqual(runsBySize(ts, 0), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
    assert.deepEqual(runsBySize([], 5), []);
    return ts;
  });
});

test('zeroGrad clears gradients; parameters without a gradient are left alone', async () => {
  await withLeakCheck(() => {
    const p = makeParams('float32');
    const d = makeData('float32');
    const opt = new SGD([p.A, p.B, p.C], { lr: 0.1, momentum: 0.9 });
    const before = p.C.toNumbers();
    lossAndBackward(p, d, 1); // odd step: C takes no part
    tidy(() => {
      assert.notEqual(p.A.grad, null);
      assert.equal(p.C.grad, null);
    });
    opt.step();
    assert.deepEqual(p.C.toNumbers(), before);
    assert.equal(tidy(() => Object.keys(opt.stateDict().tensors).filter((k) => k.startsWith('state.2.')).length), 0, 'no state for C');
    opt.zeroGrad();
    tidy(() => {
      assert.equal(p.A.grad, null);
      assert.equal(p.B.grad, null);
    });
    opt.dispose();
    disposeParams(p);
    for (const t of Object.values(d)) t.dispose();
  });
});

test('parameter groups: overrides, defaults, lr read/write', async () => {
  await withLeakCheck(() => {
    const a = zeros([2], { requiresGrad: true });
    const b = zeros([3], { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 0.001 }, { params: [b], weightDecay: 0 }], { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
    assert.deepEqual(opt.getLr(), [0.001, 0.01]);
    assert.equal(opt.paramGroups[0]!.momentum, 0.9);
    assert.equal(opt.paramGroups[0]!.weightDecay, 1e-4);
    assert.equal(opt.paramGroups[1]!.weightDecay, 0);
    assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.001, 0.01]);
    opt.setLr([0.002, 0.02]);
    assert.deepEqual(opt.getLr(), [0.002, 0.02]);
    opt.paramGroups[1]!.lr = 0.5;
    assert.deepEqual(opt.getLr(), [0.002, 0.5]);
    opt.setLr(0.1);
    assert.deepEqual(opt.getLr(), [0.1, 0.1]);
    assert.deepEqual(opt.paramGroups.map((g) => g.initialLr), [0.001, 0.01], 'initialLr is the schedules\' base and does not move');
    assert.throws(() => opt.setLr([1]), /2 parameter groups/);
    const c = zeros([1], { requiresGrad: true });
    opt.addParamGroup({ params: [c], lr: 0.3 });
    assert.equal(opt.params.length, 3);
    assert.equal(opt.paramGroups[2]!.momentum, 0.9);
    opt.dispose();
    for (const t of [a, b, c]) t.dispose();
  });
});

test('helpful errors for bad options and parameters', async () => {
  await withLeakCheck(() => {
    const a = zeros([2], { requiresGrad: true });
    const frozen = zeros([2]);
    assert.throws(() => new SGD([a], {} as never), /lr .* is required/);
    assert.throws(() => new SGD([a], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0/);
    assert.throws(() => new SGD([a], { lr: 0.1, momentum: 0.9, weight_decay: 1 } as never), /unknown option\(s\) weight_decay/);
    assert.throws(() => new SGD([{ params: [a], weight_decay: 1 } as never], { lr: 0.1 }), /unknown option 'weight_decay'/);
    assert.throws(() => new SGD([a, a], { lr: 0.1 }), { name: 'RangeError', message: /already appears/ });
    assert.throws(() => new SGD([frozen], { lr: 0.1 }), { name: 'RangeError', message: /does not require grad/ });
    assert.throws(() => new SGD([], { lr: 0.1 }), /non-empty array/);
    assert.throws(() => new Adam([a], { beta2: 1 }), /beta2 must be in \[0, 1\)/);
    assert.throws(() => new SGD([{ params: [a], lr: -1 }], { lr: 0.1 }), /group 0: lr must be >= 0/);
    tidy(() => {
      const nonLeaf = a.mul(2);
      assert.throws(() => new SGD([nonLeaf], { lr: 0.1 }), { name: 'RangeError', message: /not a leaf/ });
    });
    const sgd = new SGD([a], { lr: 0.1, momentum: 0.9 });
    const adam = new Adam([a]);
    tidy(() => assert.throws(() => adam.loadStateDict(sgd.stateDict()), { name: 'RangeError', message: /saved by SGD, not Adam/ }));
    assert.throws(
      () => sgd.loadStateDict({ tensors: {}, meta: { optimizer: 'SGD', groups: [{ params: [0] }, { params: [1] }], state: {} } }),
      { name: 'RangeError', message: /2 parameter groups, this optimizer 1/ },
    );
    tidy(() => {
      const bad = zeros([3]);
      assert.throws(
        () => sgd.loadStateDict({ tensors: { 'state.0.momentum_buffer': bad }, meta: { optimizer: 'SGD', groups: [{ params: [0] }], state: {} } }),
        { name: 'RangeError', message: /has shape \[3\], parameter 0 has shape \[2\]/ },
      );
    });
    sgd.dispose();
    adam.dispose();
    assert.throws(() => sgd.step(), { name: 'TypeError', message: /disposed/ });
    a.dispose();
    frozen.dispose();
  });
});

test('AdamW defaults follow torch (weight decay 1e-2), Adam has none', async () => {
  await withLeakCheck(() => {
    const a = zeros([2], { requiresGrad: true });
    const w = new AdamW([a]);
    const m = new Adam([a]);
    assert.equal(w.paramGroups[0]!.weightDecay, 0.01);
    assert.equal(m.paramGroups[0]!.weightDecay, 0);
    assert.equal(m.paramGroups[0]!.beta2, 0.999);
    assert.equal(w.kind, 'AdamW');
    w.dispose();
    m.dispose();
    a.dispose();
  });
});

