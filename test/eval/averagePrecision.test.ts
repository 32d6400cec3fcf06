import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, precisionRecallCurve } from '../../src/eval/index.js';
import { seededRandom } from '../helpers/seededRandom.js';

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);

// Ranking P N P N P (5 items, 3 positives), worked out by hand:
//   precision 1, 1/2, 2/3, 1/2, 3/5   recall 1/3, 1/3, 2/3, 2/3, 1
//   envelope at the recall steps: 1, 2/3, 3/5
//   VOC2010 = 1/3·1 + 1/3·2/3 + 1/3·3/5 = 34/45
//   11-point: t = 0..0.3 -> 1 (4 points), t = 0.4..0.6 -> 2/3 (3), t = 0.7..1 -> 3/5 (4)
//             = (4 + 2 + 2.4) / 11 = 8.4/11
const S5 = [0.9, 0.8, 0.7, 0.6, 0.5];
const L5 = [1, -1, 1, -1, 1];

test('hand-computed 5-item ranking, VOC2010 and 11-point', () => {
  close(averagePrecision(S5, L5), 34 / 45);
  close(averagePrecision(S5, L5, { method: 'voc2010' }), 34 / 45);
  close(averagePrecision(S5, L5, { method: 'voc2007' }), 8.4 / 11);
});

test('interpolation lifts a precision dip (envelope, not raw precision)', () => {
  // N P P: precision 0, 1/2, 2/3; recall 0, 1/2, 1.
  // VOC2010: envelope at recall 1/2 is max(1/2, 2/3) = 2/3 -> AP = 1/2·2/3 + 1/2·2/3 = 2/3
  // (non-interpolated AP would be 1/2·1/2 + 1/2·2/3 = 7/12).
  close(averagePrecision([3, 2, 1], [-1, 1, 1]), 2 / 3);
  // 11-point: every t ≤ 1 has max precision 2/3 at recall 1.
  close(averagePrecision([3, 2, 1], [-1, 1, 1], { method: 'voc2007' }), 2 / 3);
});

test('11-point thresholds are exact: recall 3/10 counts for t = 0.3', () => {
  // 10 positives; first 3 ranked items positive, then 20 negatives, then 7 positives.
  const labels = [1, 1, 1, ...Array(20).fill(-1), ...Array(7).fill(1)];
  const scores = labels.map((_, i) => -i);
  // precision 1 up to recall 0.3 (t = 0, .1, .2, .3 -> 4 points of 1);
  // beyond, the best precision at recall ≥ 0.4 is at the end: 10/30.
  close(averagePrecision(scores, labels, { method: 'voc2007' }), (4 * 1 + 7 * (10 / 30)) / 11);
});

test('perfect ranking gives 1, reversed ranking gives the known value', () => {
  assert.equal(averagePrecision([0.9, 0.8, 0.3, 0.1], [1, 1, -1, -1]), 1);
  assert.equal(averagePrecision([0.9, 0.8, 0.3, 0.1], [1, 1, -1, -1], { method: 'voc2007' }), 1);
  // Reversed: N N P P -> precision at the recall steps 1/3, 2/4; envelope 1/2, 1/2 -> AP = 1/2.
  close(averagePrecision([0.9, 0.8, 0.3, 0.1], [-1, -1, 1, 1]), 0.5);
  close(averagePrecision([0.9, 0.8, 0.3, 0.1], [-1, -1, 1, 1], { method: 'voc2007' }), 0.5);
  // Fully reversed with one positive among n: AP = 1/n.
  close(averagePrecision([5, 4, 3, 2, 1], [-1, -1, -1, -1, 1]), 1 / 5);
});

test('ties: grouped by default (order-independent), stable reproduces input order', () => {
  // One positive and one negative with equal scores: one threshold, precision 1/2 at recall 1.
  close(averagePrecision([0.5, 0.5], [1, -1]), 0.5);
  close(averagePrecision([0.5, 0.5], [-1, 1]), 0.5);
  // Stable: the first in input order ranks first.
  close(averagePrecision([0.5, 0.5], [1, -1], { ties: 'stable' }), 1);
  close(averagePrecision([0.5, 0.5], [-1, 1], { ties: 'stable' }), 0.5);
  // A tie group in the middle: P {P N N} N -> points (1/2, 1), (1, 2/4), (1, 2/5).
  close(averagePrecision([4, 3, 3, 3, 1], [1, -1, 1, -1, -1]), 0.5 * 1 + 0.5 * 0.5);
});

test('grouped ties make AP invariant to permutations of the input', () => {
  const rnd = seededRandom(7);
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rnd() * 30);
    const scores = Array.from({ length: n }, () => Math.floor(rnd() * 5)); // many ties
    const labels = Array.from({ length: n }, () => [1, -1, -1, 0][Math.floor(rnd() * 4)]!);
    const perm = shuffle(Array.from({ length: n }, (_, i) => i), rnd);
    for (const method of ['voc2010', 'voc2007'] as const) {
      const a = averagePrecision(scores, labels, { method });
      const b = averagePrecision(perm.map((i) => scores[i]!), perm.map((i) => labels[i]!), { method });
      if (Number.isNaN(a)) assert.ok(Number.isNaN(b));
      else close(a, b);
    }
  }
});

test('matches a brute-force definition on random rankings without ties', () => {
  const rnd = seededRandom(42);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rnd() * 40);
    const scores = Array.from({ length: n }, () => rnd());
    const labels = Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : -1));
    const ref = bruteForceAP(scores, labels);
    const got10 = averagePrecision(scores, labels);
    const got07 = averagePrecision(scores, labels, { method: 'voc2007' });
    if (Number.isNaN(ref.voc2010)) {
      assert.ok(Number.isNaN(got10) && Number.isNaN(got07));
      continue;
    }
    close(got10, ref.voc2010, 1e-12);
    close(got07, ref.voc2007, 1e-12);
  }
});

test('difficult items are ignored wherever they rank', () => {
  const base = averagePrecision(S5, L5);
  close(averagePrecision([1.0, ...S5], [0, ...L5]), base); // difficult on top
  close(averagePrecision([...S5, 0.1], [...L5, 0]), base); // difficult at the bottom
  close(averagePrecision([0.9, 0.85, 0.8, 0.7, 0.6, 0.5], [1, 0, -1, 1, -1, 1]), base);
  close(averagePrecision([1.0, ...S5], [0, ...L5], { method: 'voc2007' }), 8.4 / 11);
});

test('binary label format reads 0 as negative', () => {
  close(averagePrecision(S5, [1, 0, 1, 0, 1], { labelFormat: 'binary' }), 34 / 45);
  assert.throws(() => averagePrecision(S5, [1, -1, 1, -1, 1], { labelFormat: 'binary' }), /labels\[1\] = -1 is not a binary label/);
});

test('no positives: NaN (all negative, all difficult, empty)', () => {
  assert.ok(Number.isNaN(averagePrecision([0.3, 0.2], [-1, -1])));
  assert.ok(Number.isNaN(averagePrecision([0.3, 0.2], [0, 0])));
  assert.ok(Number.isNaN(averagePrecision([], [])));
  assert.ok(Number.isNaN(averagePrecision([0.3], [-1], { method: 'voc2007' })));
});

test('numPositives counts positives that were never scored', () => {
  // P N with 4 positives in total: recall reaches 1/4 at precision 1.
  close(averagePrecision([2, 1], [1, -1], { numPositives: 4 }), 0.25);
  assert.throws(() => averagePrecision([2, 1], [1, 1], { numPositives: 1 }), /numPositives is 1 but labels contain 2 positives/);
});

test('infinite scores rank like any other', () => {
  close(averagePrecision([Infinity, 0, -Infinity], [1, -1, 1]), 0.5 * 1 + 0.5 * (2 / 3));
});

test('bad input raises an Error naming the problem', () => {
  assert.throws(() => averagePrecision([0.1, 0.2, 0.3], [1, -1]), /scores has 3 entries but labels has 2/);
  assert.throws(() => averagePrecision([0.1, NaN, 0.3], [1, -1, 1]), /averagePrecision: scores\[1\] is NaN/);
  assert.throws(() => averagePrecision([0.1, 0.2], [1, 2]), /labels\[1\] = 2 is not a VOC label/);
  assert.throws(() => averagePrecision([0.1, 0.2], [1, 0.5]), /labels\[1\] = 0.5/);
  assert.throws(() => averagePrecision([0.1], [1], { method: 'voc2012' as never }), { name: 'RangeError', message: "Expected 'voc2010' or 'voc2007' for option method of averagePrecision() but received 'voc2012'" });
  assert.throws(() => averagePrecision([0.1], [1], { ties: 'random' as never }), { name: 'RangeError', message: /^Expected 'group' or 'stable' for option ties of .* but received 'random'$/ });
});

test('precisionRecallCurve returns one point per threshold', () => {
  const c = precisionRecallCurve([0.9, 0.8, 0.8, 0.1], [1, -1, 1, 0]);
  assert.deepEqual(Array.from(c.thresholds), [0.9, 0.8]);
  assert.deepEqual(Array.from(c.precision), [1, 2 / 3]);
  assert.deepEqual(Array.from(c.recall), [0.5, 1]);
  assert.deepEqual(Array.from(c.truePositives), [1, 2]);
  assert.equal(c.numPositives, 2);
  const s = precisionRecallCurve([0.9, 0.8, 0.8, 0.1], [1, -1, 1, 0], { ties: 'stable' });
  assert.deepEqual(Array.from(s.precision), [1, 1 / 2, 2 / 3]);
});

/**
 * Reference AP straight from the definitions, for rankings without ties:
 * interpolated precision p(r) = max precision over ranks whose recall ≥ r.
 * VOC2010 = (1/P) Σ over positives of p(recall at that positive) (each positive adds 1/P recall).
 * VOC2007 = (1/11) Σ_{t=0,0.1,..,1} p(t), 0 if recall t is never reached.
 */
function bruteForceAP(scores: number[], labels: number[]): { voc2010: number; voc2007: number } {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const P = labels.filter((l) => l === 1).length;
  if (P === 0) return { voc2010: NaN, voc2007: NaN };
  const prec: number[] = [];
  const rec: number[] = [];
  let tp = 0;
  order.forEach((i, r) => {
    if (labels[i] === 1) tp++;
    prec.push(tp / (r + 1));
    rec.push(tp / P);
  });
  const interp = (t: number) => {
    let best = 0;
    for (let r = 0; r < prec.length; r++) if (rec[r]! >= t - 1e-12) best = Math.max(best, prec[r]!);
    return best;
  };
  let voc2010 = 0;
  order.forEach((i, r) => {
    if (labels[i] === 1) voc2010 += interp(rec[r]!) / P;
  });
  let voc2007 = 0;
  for (let k = 0; k <= 10; k++) voc2007 += interp(k / 10) / 11;
  return { voc2010, voc2007 };
}


function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
