// The studio's pure-TypeScript pooling against the engine's poolings: every case of the WILDCAT
// reference (float64), float32 maps full of ties (values and selected regions), and LSE /
// generalized pooling at their exact β limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, tidy, type Tensor } from '../../src/core/index.js';
import { applySpatialPooling, classWisePool, wildcatRegions, type SpatialPooling } from '../../src/wsl/index.js';
import { descendingRegions, poolClassMap, poolClassMaps, poolingEvidence } from '../../src/studio/mapPooling.js';
import { assertClose } from '../helpers/assertTensor.js';
import { leakFree } from '../helpers/leak.js';
import { seededRandom } from '../helpers/seededRandom.js';
import { reference, refTensor, type RefCase } from '../wsl/reference.js';

/** The pooling a reference case runs (the reference uses the official halving convention). */
function poolingOf(c: RefCase): SpatialPooling {
  const p = c.params;
  const kmin = p.kmin ?? p.kmax!;
  switch (c.op) {
    case 'wildcat':
    case 'wildcat_head':
      return { kind: 'wildcat', kmax: p.kmax!, kmin, alpha: p.alpha ?? 1, halve: true };
    case 'weldon':
      return { kind: 'wildcat', kmax: p.kmax!, kmin, alpha: 1, halve: true };
    case 'lse':
      return { kind: 'lse', r: p.r! };
    case 'gap':
      return { kind: 'gap' };
    case 'gmp':
      return { kind: 'max' };
    default:
      throw new Error(`no pooling for ${c.op}`);
  }
}

/** Engine scores [B·C] and the maps [B, C, h, w] as plain numbers. */
function engine(x: Tensor, p: SpatialPooling): Float64Array {
  return Float64Array.from(tidy(() => applySpatialPooling(x, p).toNumbers()));
}

test('every pooling case of the reference: the same scores as the engine and as the reference', () => {
  const cases = reference.cases.filter((c) => c.op !== 'class_wise');
  assert.equal(cases.length, 24);
  leakFree(() => {
    for (const c of cases) {
      tidy(() => {
        let x = refTensor(reference.inputs[c.input]);
        if (c.op === 'wildcat_head') x = classWisePool(x, { maps: c.params.maps! });
        const [b, ch, h, w] = x.shape as [number, number, number, number];
        const maps = Float64Array.from(x.toNumbers());
        const p = poolingOf(c);
        const ours = new Float64Array(b * ch);
        for (let i = 0; i < b; i++) ours.set(poolClassMaps(maps.subarray(i * ch * h * w, (i + 1) * ch * h * w), ch, p), i * ch);
        assertClose(ours, c.output.data, { atol: 1e-12 });
        assertClose(ours, engine(x, p), { atol: 1e-12 });
      });
    }
  });
});

test('float32 maps full of ties: scores within float32 rounding, regions exactly those of wildcatRegions', () => {
  const rand = seededRandom(9);
  const [B, C, h, w] = [3, 4, 6, 5];
  // Values on a coarse grid: many equal values straddle every k-th position.
  const data = Float32Array.from({ length: B * C * h * w }, () => Math.floor(rand() * 7) - 3 + (rand() < 0.1 ? 0.25 : 0));
  const settings: SpatialPooling[] = [
    { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7 },
    { kind: 'wildcat', kmax: 1, kmin: 1, alpha: 1, halve: true },
    { kind: 'wildcat', kmax: 7, kmin: 0, alpha: 0.7 },
    { kind: 'wildcat', kmax: 0.5, kmin: 0.3, alpha: 0 },
    { kind: 'wildcat', kmax: 30, kmin: 30, alpha: -0.5, halve: true },
    { kind: 'wildcat', kmax: 2.7, kmin: 1.5, alpha: 1.3 },
    { kind: 'max' },
    { kind: 'gap' },
    { kind: 'lse', r: 5 },
    { kind: 'lse', r: 0 },
    { kind: 'lse', r: Infinity },
    { kind: 'lse', r: -3 },
    { kind: 'generalized', betaPos: 10, betaNeg: -10, alpha: 0.7 },
    { kind: 'generalized', betaPos: Infinity, betaNeg: -Infinity, alpha: 1 },
    { kind: 'generalized', betaPos: 0, betaNeg: 1e-6, alpha: 0 },
  ];
  const n = h * w;
  leakFree(() => {
    const x = tensor(data, { shape: [B, C, h, w] });
    for (const p of settings) {
      const expected = engine(x, p);
      const ours = new Float64Array(B * C);
      for (let i = 0; i < B * C; i++) ours[i] = poolClassMap(data.subarray(i * n, (i + 1) * n), p);
      assertClose(ours, expected, { atol: 2e-6, rtol: 2e-6 });
      const plan = p.kind === 'wildcat' ? { kmax: p.kmax, kmin: p.kmin, alpha: p.alpha } : p.kind === 'max' ? { kmax: 1, kmin: 0 } : null;
      for (let i = 0; i < B * C; i++) {
        const ev = poolingEvidence(data.subarray(i * n, (i + 1) * n), p);
        if (!plan) {
          assert.equal(ev, null, `${p.kind} selects no regions`);
          continue;
        }
        const ref = tidy(() => {
          const r = wildcatRegions(x, plan);
          return { top: r.top.reshape([B * C, -1]).select(0, i).toNumbers(), bottom: r.bottom.reshape([B * C, -1]).select(0, i).toNumbers() };
        });
        assert.deepEqual([...ev!.top], ref.top, `${JSON.stringify(p)} map ${i}: top regions`);
        assert.deepEqual([...ev!.bottom], ref.bottom, `${JSON.stringify(p)} map ${i}: bottom regions`);
      }
    }
    x.dispose();
  });
});

test('tie order: equal values by increasing index, NaN first, as the engine sorts', () => {
  const map = [1, 3, NaN, 3, -1, 1, 3];
  assert.deepEqual([...descendingRegions(map)], [2, 1, 3, 6, 0, 5, 4]);
  const engineOrder = leakFreeOrder(map);
  assert.deepEqual([...descendingRegions(map)], engineOrder);
});

function leakFreeOrder(map: number[]): number[] {
  let out: number[] = [];
  leakFree(() => {
    out = tidy(() => tensor(Float32Array.from(map)).sort(-1, true, true).indices.toNumbers());
  });
  return out;
}

test('bad options give the engine\'s errors, naming the option', () => {
  const map = [0, 1, 2, 3];
  assert.throws(() => poolClassMap(map, { kind: 'wildcat', kmax: 0, kmin: 1 }), /Expected a number > 0 for option kmax of poolClassMap\(\) but received 0/);
  assert.throws(() => poolClassMap(map, { kind: 'wildcat', kmax: 1, kmin: -1 }), /Expected a number >= 0 for option kmin of poolClassMap\(\) but received -1/);
  assert.throws(() => poolClassMap(map, { kind: 'lse', r: NaN }), /for option r of poolClassMap\(\) but received NaN/);
  assert.throws(() => poolClassMap([], { kind: 'gap' }), /at least one region/);
  assert.throws(() => poolClassMaps([1, 2, 3], 2, { kind: 'gap' }), /2 class maps of equal size/);
  assert.throws(() => poolClassMap(map, { kind: 'median' } as unknown as SpatialPooling), /kind of a spatial pooling/);
});

test('omitted options take the engine\'s defaults', () => {
  const map = Float32Array.from({ length: 20 }, (_, i) => Math.sin(i * 1.7));
  leakFree(() => {
    const x = tensor(map, { shape: [1, 1, 4, 5] });
    for (const p of [{ kind: 'wildcat' }, { kind: 'wildcat', kmax: 3 }, { kind: 'lse' }, { kind: 'generalized' }, { kind: 'generalized', betaPos: 2 }] as SpatialPooling[]) {
      assertClose([poolClassMap(map, p)], engine(x, p), { atol: 2e-6 });
    }
    x.dispose();
  });
});
