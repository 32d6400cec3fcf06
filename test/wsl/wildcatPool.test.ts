import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, manualSeed, tensor, type Tensor } from '../../src/core/index.js';
import {
  globalAvgPool, globalMaxPool, mantraPool, resolveK, topKPool, weldonPool, wildcatPool, wildcatRegions, withWildcatDefaults, type WildcatPoolOptions,
} from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';
import { rng, tieFreeMaps } from './maps.js';

const SETTINGS: WildcatPoolOptions[] = [
  { kmax: 1, kmin: 0 },
  { kmax: 1 },
  { kmax: 3, kmin: 2, alpha: 0.7 },
  { kmax: 0.2, kmin: 0.2, alpha: 0.7 },
  { kmax: 0.5, kmin: 0.3, alpha: -0.5, halve: true },
  { kmax: 12, kmin: 12, alpha: 1.3 }, // all regions, both terms
  { kmax: 8, kmin: 7, alpha: 0.6 }, // overlapping sets
  { kmax: 2, kmin: 3, alpha: 0 },
];

test('finite differences agree with autograd on tie-free maps (every setting)', () => {
  scoped(() => {
    manualSeed(11);
    const x = tieFreeMaps([2, 3, 3, 4]);
    for (const o of SETTINGS) gradCheck((x) => wildcatPool(x, o), [x]);
  });
});

/** Plain-TypeScript WILDCAT with the stable-sort tie rule: value and d(Σ g·s)/dx. */
function wildcatByHand(x: Float64Array, maps: number, n: number, g: Float64Array, opts: WildcatPoolOptions) {
  const o = withWildcatDefaults(opts);
  const kp = resolveK(o.kmax, n);
  const km = resolveK(o.kmin, n);
  const alpha = o.alpha;
  const active = km > 0 && alpha !== 0;
  const scale = o.halve && active ? 0.5 : 1;
  const out = new Float64Array(maps);
  const dx = new Float64Array(x.length);
  for (let m = 0; m < maps; m++) {
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[m * n + b]! - x[m * n + a]! || a - b);
    let top = 0;
    for (let i = 0; i < kp; i++) {
      top += x[m * n + idx[i]!]! / kp;
      dx[m * n + idx[i]!]! += (scale * g[m]!) / kp;
    }
    let bottom = 0;
    if (active) {
      for (let i = n - km; i < n; i++) {
        bottom += x[m * n + idx[i]!]! / km;
        dx[m * n + idx[i]!]! += (scale * alpha * g[m]!) / km;
      }
    }
    out[m] = scale * (top + alpha * bottom);
  }
  return { out, dx };
}

test('tie rule: on maps full of ties, values and gradients follow the stable descending sort', () => {
  scoped(() => {
    const r = rng(5);
    const [B, C, H, W] = [2, 3, 3, 4];
    const n = H * W;
    const settings: WildcatPoolOptions[] = [...SETTINGS, { kmax: 2, kmin: 2 }, { kmax: 5, kmin: 1, alpha: 2 }, { kmax: 11, kmin: 11 }];
    for (let trial = 0; trial < 30; trial++) {
      const levels = 2 + (trial % 4); // 2..5 distinct values: many ties at every boundary
      const xv = Float64Array.from({ length: B * C * n }, () => Math.floor(r() * levels) - 1);
      const gv = Float64Array.from({ length: B * C }, () => r() * 2 - 1);
      for (const o of settings) {
        const x = tensor(xv, { shape: [B, C, H, W], requiresGrad: true });
        const y = wildcatPool(x, o);
        const [gx] = grad(y, [x], { gradOutputs: [tensor(gv, { shape: [B, C] })] });
        const want = wildcatByHand(xv, B * C, n, gv, o);
        assertClose(y.toArray() as Float64Array, want.out, { atol: 1e-12 });
        assertClose(gx!.toArray() as Float64Array, want.dx, { atol: 1e-12 });
      }
    }
  });
});

test('GMP, GAP, LLP, WELDON and MANTRA are their WILDCAT settings (values and gradients)', () => {
  scoped(() => {
    manualSeed(3);
    const x = tieFreeMaps([2, 4, 5, 6]).requiresGrad_(true);
    const g = tieFreeMaps([2, 4]);
    const same = (a: Tensor, b: Tensor) => {
      assertClose(a.toArray() as Float64Array, b.toArray() as Float64Array, { atol: 1e-12 });
      const [ga] = grad(a, [x], { gradOutputs: [g] });
      const [gb] = grad(b, [x], { gradOutputs: [g] });
      assertClose(ga!.toArray() as Float64Array, gb!.toArray() as Float64Array, { atol: 1e-12 });
    };
    same(globalMaxPool(x), wildcatPool(x, { kmax: 1, kmin: 0 }));
    same(globalMaxPool(x), x.max([2, 3]));
    same(globalAvgPool(x), wildcatPool(x, { kmax: 30, kmin: 0 }));
    same(globalAvgPool(x), x.mean([2, 3]));
    same(topKPool(x, 4), wildcatPool(x, { kmax: 4, kmin: 0 }));
    same(topKPool(x, 0.2), wildcatPool(x, { kmax: 6, kmin: 0, alpha: 0.3 }));
    same(topKPool(x, 0.01), globalMaxPool(x)); // 0.01·30 = 0.3 → one region (the official code: 0)
    same(weldonPool(x, { kmax: 3 }), wildcatPool(x, { kmax: 3, kmin: 3, alpha: 1 }));
    same(weldonPool(x, { kmax: 3, kmin: 2, halve: true }), wildcatPool(x, { kmax: 3, kmin: 2, alpha: 1 }).mul(0.5));
    same(mantraPool(x), x.max([2, 3]).add(x.min([2, 3])));
    same(mantraPool(x, { halve: true }), wildcatPool(x, { kmax: 1, kmin: 1, alpha: 1, halve: true }));
  });
});

test('halve: only an active min term is halved', () => {
  scoped(() => {
    manualSeed(4);
    const x = tieFreeMaps([1, 2, 3, 3]);
    const plain = (o: WildcatPoolOptions) => wildcatPool(x, o).toArray() as Float64Array;
    const top = plain({ kmax: 2, kmin: 0 });
    assertClose(plain({ kmax: 2, kmin: 0, halve: true }), top);
    assertClose(plain({ kmax: 2, kmin: 3, alpha: 0, halve: true }), top);
    const full = plain({ kmax: 2, kmin: 3, alpha: 0.7 });
    assertClose(plain({ kmax: 2, kmin: 3, alpha: 0.7, halve: true }), full.map((v) => v / 2), { atol: 1e-15 });
  });
});

test('the k = 1 and topk fast paths agree with the stable-sort definition on big maps', () => {
  scoped(() => {
    manualSeed(9);
    const [B, C, H, W] = [2, 5, 12, 12];
    const x = tieFreeMaps([B, C, H, W]).requiresGrad_(true);
    const xv = x.toArray() as Float64Array;
    const gv = Float64Array.from({ length: B * C }, (_, i) => Math.cos(i));
    for (const o of [{ kmax: 1, kmin: 1, alpha: 0.7 }, { kmax: 0.2, kmin: 0.2, alpha: 0.7 }, { kmax: 144, kmin: 1 }, { kmax: 2, kmin: 143 }]) {
      const y = wildcatPool(x, o);
      const [gx] = grad(y, [x], { gradOutputs: [tensor(gv, { shape: [B, C] })] });
      const want = wildcatByHand(xv, B * C, H * W, gv, o);
      assertClose(y.toArray() as Float64Array, want.out, { atol: 1e-12 });
      assertClose(gx!.toArray() as Float64Array, want.dx, { atol: 1e-12 });
    }
  });
});

test('wildcatRegions: the selected flat indices, by the same tie rule', () => {
  scoped(() => {
    const x = tensor([[[[2, 2, 0], [0, 0, -1], [0, 0, -1]]]], { dtype: 'float64' });
    const r = wildcatRegions(x, { kmax: 3, kmin: 2 });
    assert.deepEqual(r.top.shape, [1, 1, 3]);
    assert.deepEqual(r.top.toNumbers(), [0, 1, 2]); // 2, 2, then the first 0
    assert.deepEqual(r.bottom.toNumbers(), [8, 5]); // lowest first, the later -1 first
    const none = wildcatRegions(x, { kmax: 1, kmin: 0 });
    assert.deepEqual(none.bottom.shape, [1, 1, 0]);
    assert.deepEqual(none.top.toNumbers(), [0]);
  });
});

test('float32 in, float32 out', () => {
  scoped(() => {
    const x = tensor([[[[1, 5], [3, -2]]]]);
    const y = wildcatPool(x, { kmax: 1, kmin: 1, alpha: 0.5 });
    assert.equal(y.dtype, 'float32');
    assert.deepEqual(y.toNumbers(), [5 - 1]);
  });
});

test('bad input: clear errors naming the argument and the shape', () => {
  scoped(() => {
    const x = tensor(new Float32Array(2 * 3 * 4 * 5), { shape: [2, 3, 4, 5] });
    assert.throws(() => wildcatPool(tensor(new Float32Array(6), { shape: [2, 3] }), { kmax: 1 }), /wildcatPool: x must be class maps \[batch, classes, height, width\] \(rank 4\), got shape \[2, 3\]/);
    assert.throws(() => wildcatPool(x, { kmax: -1 }), { name: 'RangeError', message: 'Expected a number > 0 for option kmax of wildcatPool() but received -1' });
    assert.throws(() => wildcatPool(x, { kmax: 0 }), { name: 'RangeError', message: /^Expected a number > 0 for option kmax/ });
    assert.throws(() => wildcatPool(x, { kmax: 2, kmin: -0.5 }), { name: 'RangeError', message: 'Expected a number >= 0 for option kmin of wildcatPool() but received -0.5' });
    assert.throws(() => wildcatPool(x, { kmax: NaN }), { name: 'RangeError', message: /for option kmax of wildcatPool\(\) but received NaN$/ });
    assert.throws(() => wildcatPool(x, { kmax: '2' as never }), { name: 'TypeError', message: "Expected a number > 0 for option kmax of wildcatPool() but received '2'" });
    assert.throws(() => wildcatPool(x, { kmax: 2, alpha: Infinity }), { name: 'RangeError', message: 'Expected a finite number for option alpha of wildcatPool() but received Infinity' });
    assert.throws(() => wildcatPool(x, { halve: 'true' as never }), { name: 'TypeError', message: "Expected a boolean for option halve of wildcatPool() but received 'true'" });
    assert.throws(() => wildcatPool(x, 3 as never), { name: 'TypeError', message: /^Expected an object \{kmax\?, kmin\?, alpha\?, halve\?\} for the options of wildcatPool\(\) but received 3$/ });
    assert.throws(() => wildcatPool(tensor([1, 2, 3, 4], { dtype: 'int64', shape: [1, 1, 2, 2] }), { kmax: 1 }), /x must be a floating tensor, got int64/);
    assert.throws(() => topKPool(x, -2), /for option kmax of wildcatPool\(\) but received -2/);
    assert.throws(() => wildcatPool('x' as unknown as Tensor, { kmax: 1 }), { name: 'TypeError', message: "Expected a Tensor for argument x of wildcatPool() but received 'x'" });
  });
});

test('no leaks outside tidy: forward, backward, presets and regions', async () => {
  manualSeed(1);
  await withLeakCheck(() => {
    const x = tieFreeMaps([2, 3, 6, 6]).requiresGrad_(true);
    const outs = [
      wildcatPool(x, { kmax: 0.2, kmin: 0.2, alpha: 0.7 }),
      wildcatPool(x, { kmax: 1, kmin: 1, halve: true }),
      globalMaxPool(x), globalAvgPool(x), topKPool(x, 3), weldonPool(x, { kmax: 2 }), mantraPool(x),
    ];
    const xTie = tensor(new Float64Array(2 * 3 * 36).fill(1), { shape: [2, 3, 6, 6] }); // forces the sort fallback
    outs.push(wildcatPool(xTie, { kmax: 3, kmin: 4 }));
    const loss = outs[0]!.sum();
    loss.backward();
    const g = x.grad;
    const regions = wildcatRegions(x, { kmax: 2 });
    assert.throws(() => wildcatPool(x, { kmax: 2, kmin: -1 }), /^RangeError: Expected a number >= 0 for option kmin/);
    return [x, xTie, outs, loss, g, regions];
  });
});

test('float16 maps pool to float16 scores that read back as values, not raw bits', async () => {
  await withLeakCheck(() => scoped(() => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8], { shape: [1, 2, 2, 2] }).to('float16');
    assert.deepEqual(wildcatPool(x, { kmax: 1, kmin: 0 }).toNumbers(), [4, 8]);
  }));
});
