import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/core/index.js';
import { mantraBinaryLAI, mantraInference, mantraLoss, mantraMultiClassLAI } from '../../src/wsl/mantra.js';
import { mantraPool } from '../../src/wsl/wildcatPresets.js';
import { leakFree, withLeakCheck } from '../helpers/leak.js';
import { seededRandom } from '../helpers/seededRandom.js';

// Hand-worked: 4 cells (2×2) with 2-d features r0 = (1, 0), r1 = (0, 1), r2 = (2, 2), r3 = (−1, 0);
// w_0 = (1, 0) and w_1 = (0, 1), no bias.
//   z_0 = [1, 0, 2, −1]: h⁺ = 2, h⁻ = 3, s_0 = 2 − 1 = 1
//   z_1 = [0, 1, 2, 0]:  h⁺ = 2, h⁻ = 3 (a tie with r0: the highest index, as wildcatPool), s_1 = 2
// so class 1 is predicted. Same image with w_1 = (0, 0.25): z_1 = [0, .25, .5, 0], s_1 = 0.5 < s_0.
test('MANTRA inference on hand-worked feature maps: h+, h-, scores, predicted class', () => {
  const cells = [[1, 0], [0, 1], [2, 2], [-1, 0]];
  const mapsOf = (w: number[][]): number[] => w.flatMap((wy) => cells.map((x) => wy[0]! * x[0]! + wy[1]! * x[1]!));
  const a = mantraInference({ data: mapsOf([[1, 0], [0, 1]]), shape: [1, 2, 2, 2] });
  assert.deepEqual([...a.hPlus], [2, 2]);
  assert.deepEqual([...a.hMinus], [3, 3]);
  assert.deepEqual([...a.scores], [1, 2]);
  assert.deepEqual([...a.predicted], [1]);
  const b = mantraInference({ data: mapsOf([[1, 0], [0, 0.25]]), shape: [1, 2, 2, 2] });
  assert.deepEqual([...b.scores], [1, 0.5]);
  assert.deepEqual([...b.predicted], [0]);
  // The tensor path and mantraPool agree with the hand values.
  leakFree(() => {
    const t = tensor(Float32Array.from(mapsOf([[1, 0], [0, 1]])), { shape: [1, 2, 2, 2] });
    assert.deepEqual([...mantraInference(t).scores], [1, 2]);
    const pooled = mantraPool(t);
    assert.deepEqual([...(pooled.toArray() as Float32Array)], [1, 2]);
    pooled.dispose();
    t.dispose();
  });
  assert.throws(() => mantraInference({ data: [1, 2], shape: [2] }), /must be \[B, C, h, w\]/);
});

/** Brute force: s_y by scanning the regions, then every output y. */
function bruteScores(z: number[], C: number, n: number): number[] {
  return Array.from({ length: C }, (_, y) => {
    let hi = -Infinity;
    let lo = Infinity;
    for (let h = 0; h < n; h++) {
      hi = Math.max(hi, z[y * n + h]!);
      lo = Math.min(lo, z[y * n + h]!);
    }
    return hi + lo;
  });
}

test('multi-class and multi-label loss-augmented inference against brute force', async () => {
  const rand = seededRandom(7);
  await withLeakCheck(() => {
    for (let trial = 0; trial < 50; trial++) {
      const C = 4;
      const n = 6;
      const z = Array.from({ length: C * n }, () => Math.round((rand() * 4 - 2) * 8) / 8);
      const s = bruteScores(z, C, n);
      const inf = mantraInference({ data: z, shape: [1, C, 2, 3] });
      assert.deepEqual([...inf.scores], s);
      const yStar = trial % C;
      // Brute force over the outputs: max_y Δ01(y*, y) + s_y.
      let best = -Infinity;
      for (let y = 0; y < C; y++) best = Math.max(best, (y === yStar ? 0 : 1) + s[y]!);
      const yHat = mantraMultiClassLAI(inf.scores, yStar);
      assert.equal((yHat === yStar ? 0 : 1) + s[yHat]!, best);
      const S = tensor(Float64Array.from(s), { shape: [1, C], dtype: 'float64' });
      const loss = mantraLoss(S, Int32Array.of(yStar), 'multiclass');
      assert.ok(Math.abs(loss.item() - (best - s[yStar]!)) < 1e-12);
      loss.dispose();
      // Multi-label: per class, y ∈ {−1, +1} with F = y·z/2, so s(x, ±1) = ±s/2.
      const labels = Int8Array.from({ length: C }, (_, c) => ((trial + c) % 3 === 0 ? -1 : 1));
      let hinge = 0;
      for (let c = 0; c < C; c++) {
        const y = labels[c] as 1 | -1;
        const aug = [-1, 1].map((yy) => (yy === y ? 0 : 1) + (yy * s[c]!) / 2);
        const yBest = aug[1]! > aug[0]! ? 1 : aug[0]! > aug[1]! ? -1 : y;
        assert.equal(mantraBinaryLAI(s[c]!, y), yBest, `class ${c}, s ${s[c]}, y* ${y}`);
        hinge += Math.max(aug[0]!, aug[1]!) - (y * s[c]!) / 2;
      }
      const ml = mantraLoss(S, labels, 'multilabel');
      assert.ok(Math.abs(ml.item() - hinge) < 1e-12);
      ml.dispose();
      S.dispose();
    }
  });
});

/** AP of a ranking (indices best first) with the positive flags. */
function apOf(order: number[], positive: boolean[]): number {
  let hits = 0;
  let sum = 0;
  order.forEach((i, k) => {
    if (positive[i]) {
      hits++;
      sum += hits / (k + 1);
    }
  });
  return sum / positive.filter(Boolean).length;
}

function* permutations(items: number[]): Generator<number[]> {
  if (items.length <= 1) {
    yield items;
    return;
  }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}

test('AP-ranking loss-augmented inference against brute force over every ranking', async () => {
  const rand = seededRandom(3);
  await withLeakCheck(() => {
    for (let trial = 0; trial < 20; trial++) {
      // 6 images (2–3 positives), each with a class map of 4 regions; s = max + min.
      const B = 6;
      const n = 4;
      const z = Array.from({ length: B * n }, () => rand() * 2 - 1);
      const s = Array.from({ length: B }, (_, i) => bruteScores(z.slice(i * n, (i + 1) * n), 1, n)[0]!);
      const positive = Array.from({ length: B }, (_, i) => i < 2 + (trial % 2));
      const P = positive.filter(Boolean).length;
      const N = B - P;
      // ψ(x, y) = (1/(PN)) Σ_pn y_pn (s_p − s_n), y_pn = +1 when p is ranked above n.
      const psi = (order: number[]): number => {
        const rank = new Map(order.map((i, k) => [i, k]));
        let v = 0;
        for (let p = 0; p < B; p++) for (let q = 0; q < B; q++) {
          if (!positive[p] || positive[q]) continue;
          v += (rank.get(p)! < rank.get(q)! ? 1 : -1) * (s[p]! - s[q]!);
        }
        return v / (P * N);
      };
      let best = -Infinity;
      for (const order of permutations([...Array(B).keys()])) best = Math.max(best, 1 - apOf(order, positive) + psi(order));
      const truth = [...Array(B).keys()].sort((a, b) => Number(positive[b]) - Number(positive[a]));
      const expected = best - psi(truth);
      const maps = tensor(Float64Array.from(z), { shape: [B, 1, 2, 2], dtype: 'float64' });
      const S = mantraPool(maps);
      const loss = mantraLoss(S, Int8Array.from(positive, (p) => (p ? 1 : -1)), 'ap');
      assert.ok(Math.abs(loss.item() - expected) < 1e-9, `trial ${trial}: ${loss.item()} vs brute force ${expected}`);
      for (const t of [maps, S, loss]) t.dispose();
    }
  });
});
