import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apLossAugmentedInference } from '../../src/wsl/index.js';
import { rng } from './maps.js';

/** 1 − AP of a ranking matrix y[p][n] (+1: p above n). Non-interpolated AP. */
function deltaOfMatrix(y: ArrayLike<number>, P: number, N: number): number {
  const negAbove = Array.from({ length: P }, (_, p) => {
    let c = 0;
    for (let n = 0; n < N; n++) if (y[p * N + n] === -1) c++;
    return c;
  }).sort((a, b) => a - b);
  let ap = 0;
  negAbove.forEach((na, i) => (ap += (i + 1) / (i + 1 + na)));
  return 1 - ap / P;
}

function psiOfMatrix(y: ArrayLike<number>, sp: number[], sn: number[]): number {
  let psi = 0;
  for (let p = 0; p < sp.length; p++) for (let n = 0; n < sn.length; n++) psi += y[p * sn.length + n]! * (sp[p]! - sn[n]!);
  return psi / (sp.length * sn.length);
}

/** max over ALL rankings (every permutation of the P + N items) of Δ_AP + ψ. */
function bruteForceMax(sp: number[], sn: number[]): number {
  const P = sp.length;
  const N = sn.length;
  const items = Array.from({ length: P + N }, (_, i) => i); // < P: positive i, else negative i − P
  const y = new Int8Array(P * N);
  let best = -Infinity;
  const visit = (perm: number[]) => {
    const seenPos: number[] = [];
    y.fill(1);
    for (const it of perm) {
      if (it < P) seenPos.push(it);
      else for (let p = 0; p < P; p++) if (!seenPos.includes(p)) y[p * N + (it - P)] = -1;
    }
    // Positives seen after negative n were marked -1 above only if not yet seen: correct by construction.
    const v = deltaOfMatrix(y, P, N) + psiOfMatrix(y, sp, sn);
    if (v > best) best = v;
  };
  // Heap's algorithm.
  const a = items.slice();
  const c = new Array(a.length).fill(0);
  visit(a);
  let i = 0;
  while (i < a.length) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [a[j], a[i]] = [a[i]!, a[j]!];
      visit(a);
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
  return best;
}

test('exact: equals brute force over all rankings, P, N ≤ 4, with and without ties', () => {
  const r = rng(2007);
  let cases = 0;
  for (let P = 1; P <= 4; P++) {
    for (let N = 1; N <= 4; N++) {
      const draws = P + N <= 6 ? 40 : P + N === 7 ? 12 : 6;
      for (let d = 0; d < draws; d++) {
        const ties = d % 2 === 1; // scores from {0, 0.5, 1}: ties within and across groups
        const draw = () => (ties ? Math.floor(r() * 3) / 2 : r() * 4 - 2);
        const sp = Array.from({ length: P }, draw);
        const sn = Array.from({ length: N }, draw);
        const res = apLossAugmentedInference(sp, sn);
        const best = bruteForceMax(sp, sn);
        const got = res.deltaAP + res.psi;
        assert.ok(Math.abs(got - best) < 1e-12, `P=${P} N=${N} pos=${sp} neg=${sn}: greedy ${got} vs brute force ${best}`);
        // The reported Δ and ψ are those of the returned ranking matrix.
        assert.ok(Math.abs(res.deltaAP - deltaOfMatrix(res.ranking, P, N)) < 1e-15);
        assert.ok(Math.abs(res.psi - psiOfMatrix(res.ranking, sp, sn)) < 1e-15);
        cases++;
      }
    }
  }
  assert.ok(cases > 300);
});

test('ranking, positivesAbove and gradients are consistent (input order)', () => {
  const r = rng(11);
  for (let t = 0; t < 50; t++) {
    const P = 1 + Math.floor(r() * 7);
    const N = 1 + Math.floor(r() * 7);
    const sp = Array.from({ length: P }, () => r());
    const sn = Array.from({ length: N }, () => r());
    const res = apLossAugmentedInference(sp, sn);
    for (let n = 0; n < N; n++) {
      let above = 0;
      for (let p = 0; p < P; p++) if (res.ranking[p * N + n] === 1) above++;
      assert.equal(res.positivesAbove[n], above);
      assert.ok(Math.abs(res.gradNeg[n]! - (2 * (P - above)) / (P * N)) < 1e-15);
    }
    for (let p = 0; p < P; p++) {
      let g = 0;
      for (let n = 0; n < N; n++) g += res.ranking[p * N + n]! - 1;
      assert.ok(Math.abs(res.gradPos[p]! - g / (P * N)) < 1e-15);
      // Positives keep score order: a higher-scored positive is above every negative a lower one is above.
      for (let q = 0; q < P; q++) {
        if (sp[q]! > sp[p]!) for (let n = 0; n < N; n++) if (res.ranking[p * N + n] === 1) assert.equal(res.ranking[q * N + n], 1);
      }
    }
    // loss = Δ + ψ(ỹ) − ψ(y*) = Δ + Σ grad·s.
    let lin = 0;
    sp.forEach((s, p) => (lin += res.gradPos[p]! * s));
    sn.forEach((s, n) => (lin += res.gradNeg[n]! * s));
    assert.ok(Math.abs(res.loss - (res.deltaAP + lin)) < 1e-12);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    assert.ok(Math.abs(res.psiTruth - (mean(sp) - mean(sn))) < 1e-15);
  }
});

/** Non-interpolated AP of the ranking by score (tie-free scores). */
function apOfScores(sp: number[], sn: number[]): number {
  const all = [...sp.map((s) => ({ s, pos: true })), ...sn.map((s) => ({ s, pos: false }))].sort((a, b) => b.s - a.s);
  let hits = 0;
  let ap = 0;
  all.forEach((it, i) => {
    if (it.pos) ap += ++hits / (i + 1);
  });
  return ap / sp.length;
}

test('upper bound: loss ≥ 1 − AP(ranking by the scores) ≥ 0 on random data', () => {
  const r = rng(99);
  for (let t = 0; t < 300; t++) {
    const P = 1 + Math.floor(r() * 30);
    const N = 1 + Math.floor(r() * 30);
    const spread = [0.01, 0.3, 3, 30][t % 4]!;
    const sp = Array.from({ length: P }, () => r() * spread + 0.2 * spread * r());
    const sn = Array.from({ length: N }, () => r() * spread);
    const res = apLossAugmentedInference(sp, sn);
    const bound = 1 - apOfScores(sp, sn);
    assert.ok(res.loss >= bound - 1e-12, `loss ${res.loss} < 1 − AP ${bound}`);
    assert.ok(bound >= 0 && res.loss >= 0);
    assert.ok(res.deltaAP >= 0 && res.deltaAP <= 1);
  }
});

test('closed forms: equal scores and a large margin', () => {
  // All scores equal: every negative goes above every positive; loss = Δ = 1 − AP(worst).
  const P = 3;
  const N = 4;
  const res = apLossAugmentedInference([0, 0, 0], [0, 0, 0, 0]);
  let ap = 0;
  for (let i = 1; i <= P; i++) ap += i / (i + N) / P;
  assert.ok(Math.abs(res.deltaAP - (1 - ap)) < 1e-15);
  assert.ok(Math.abs(res.loss - (1 - ap)) < 1e-15);
  assert.deepEqual(Array.from(res.gradPos), [-2 / P, -2 / P, -2 / P]);
  assert.deepEqual(Array.from(res.gradNeg), [2 / N, 2 / N, 2 / N, 2 / N]);
  // Positives far above negatives: ỹ = y*, zero loss and gradient.
  const easy = apLossAugmentedInference([100, 120], [-100, -90, -95]);
  assert.equal(easy.loss, 0);
  assert.equal(easy.deltaAP, 0);
  assert.ok(easy.gradPos.every((g) => g === 0) && easy.gradNeg.every((g) => g === 0));
});

test('bad input', () => {
  assert.throws(() => apLossAugmentedInference([], [1]), /at least one positive and one negative, got 0 positive\(s\) and 1 negative\(s\)/);
  assert.throws(() => apLossAugmentedInference([1], []), /got 1 positive\(s\) and 0 negative\(s\)/);
  assert.throws(() => apLossAugmentedInference([1, NaN], [0]), /scoresPos\[1\] is NaN; scores must be finite/);
});
