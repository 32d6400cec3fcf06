// Every case of the WILDCAT reference (float64): outputs and input gradients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, type Tensor } from '../../src/core/index.js';
import { classWisePool, globalAvgPool, globalMaxPool, lsePool, resolveWildcat, weldonPool, wildcatPool } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { leakFree } from '../helpers/leak.js';
import { scoped } from './scoped.js';
import { reference, refTensor, type RefCase } from './reference.js';

const TOL = 1e-9; // float64 on both sides: agreement to 1e-9, far below float32 precision

const num = (v: number | null | undefined): number | undefined => (v === null || v === undefined ? undefined : v);

/** Our operation for a reference case. The reference uses the official halving convention. */
function forward(c: RefCase, x: Tensor, made: Tensor[] = []): Tensor {
  const p = c.params;
  switch (c.op) {
    case 'wildcat':
      return wildcatPool(x, { kmax: p.kmax!, kmin: num(p.kmin), alpha: num(p.alpha), halve: true });
    case 'weldon':
      return weldonPool(x, { kmax: p.kmax!, kmin: num(p.kmin), halve: true });
    case 'class_wise':
      return classWisePool(x, { maps: p.maps! });
    case 'wildcat_head':
    {
      const classMaps = classWisePool(x, { maps: p.maps! });
      made.push(classMaps);
      return wildcatPool(classMaps, { kmax: p.kmax!, kmin: num(p.kmin), alpha: num(p.alpha), halve: true });
    }
    case 'lse':
      return lsePool(x, { r: p.r! });
    case 'gap':
      return globalAvgPool(x);
    case 'gmp':
      return globalMaxPool(x);
  }
}

test('the reference covers every operation we check', () => {
  const ops = new Set(reference.cases.map((c) => c.op));
  assert.deepEqual([...ops].sort(), ['class_wise', 'gap', 'gmp', 'lse', 'weldon', 'wildcat', 'wildcat_head']);
  assert.equal(reference.cases.length, 26);
});

for (const c of reference.cases) {
  test(`reference ${c.name} (${c.op}): output and input gradient within ${TOL}, no leak`, () => {
    // Not in a scope: every tensor created here is returned, so library leaks would show.
    leakFree(() => {
      const x = refTensor(reference.inputs[c.input], true);
      const made: Tensor[] = [];
      const y = forward(c, x, made);
      const g = refTensor(c.g);
      const [gx] = grad(y, [x], { gradOutputs: [g] });
      assert.deepEqual(y.shape, c.output.shape, `${c.name}: output shape`);
      assertClose(y.toArray() as Float64Array, c.output.data, { atol: TOL });
      assert.deepEqual(gx!.shape, c.grad_input.shape);
      assertClose(gx!.toArray() as Float64Array, c.grad_input.data, { atol: TOL });
      return [x, y, g, gx, made];
    });
  });
}

test('resolved k of every wildcat / weldon case matches the reference', () => {
  for (const c of reference.cases) {
    if (!c.resolved) continue;
    const p = c.params;
    const r = resolveWildcat(c.resolved.n, { kmax: p.kmax!, kmin: num(p.kmin), alpha: num(p.alpha) ?? 1 });
    assert.equal(r.kmax, c.resolved.kmax_resolved, `${c.name} kmax`);
    assert.equal(r.kmin, c.resolved.kmin_resolved, `${c.name} kmin`);
    if (c.resolved.min_term_active !== undefined) assert.equal(r.minTermActive, c.resolved.min_term_active, `${c.name} min term`);
  }
});

test('class-wise gradient is the true one: the official backward is maps× ours', () => {
  scoped(() => {
    for (const c of reference.cases.filter((c) => c.op === 'class_wise')) {
      const x = refTensor(reference.inputs.x, true);
      const [gx] = grad(classWisePool(x, { maps: c.params.maps! }), [x], { gradOutputs: [refTensor(c.g)] });
      const ours = gx!.toArray() as Float64Array;
      // Every input channel c·M + m receives g[:, c] / M.
      assert.equal(c.official_grad_input_scale, c.params.maps);
      const official = ours.map((v) => v * c.official_grad_input_scale!);
      const expected = Float64Array.from(c.grad_input.data);
      assertClose(ours, expected, { atol: TOL });
      assert.ok(Math.max(...official.map((v, i) => Math.abs(v - expected[i]!))) > 0.1, 'the official (scaled) gradient differs');
    }
  });
});

test('float32 maps reproduce the wildcat reference within 1e-5', () => {
  scoped(() => {
    for (const c of reference.cases.filter((c) => c.op === 'wildcat' || c.op === 'weldon' || c.op === 'wildcat_head')) {
      const x = refTensor(reference.inputs[c.input]).float().requiresGrad_(true);
      const y = forward(c, x);
      assert.equal(y.dtype, 'float32');
      assertClose(y.toNumbers(), c.output.data, { atol: 1e-5 });
      const [gx] = grad(y, [x], { gradOutputs: [refTensor(c.g).float()] });
      assertClose(gx!.toNumbers(), c.grad_input.data, { atol: 1e-5 });
    }
  });
});
