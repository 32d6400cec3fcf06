// Exact loss-augmented inference for the structured average-precision loss (Yue et al.,
// SIGIR 2007, "A support vector method for optimizing average precision"), used by WELDON /
// WILDCAT's ranking objective (Durand et al., TPAMI 2019 §5.1.2). Plain numbers, no tensors.

/** The most violating ranking ỹ for one class and what follows from it. */
export interface ApInference {
  /** ỹ_pn ∈ {+1, −1}, row-major [P][N] in input order: +1 when positive p is ranked above negative n. */
  ranking: Int8Array;
  /** For each negative (input order): how many positives ỹ ranks above it. */
  positivesAbove: Int32Array;
  /** Δ_AP(y*, ỹ) = 1 − AP(ỹ), AP non-interpolated: (1/P) Σ_i i / (rank of the i-th positive). */
  deltaAP: number;
  /** ψ(x, ỹ) = (1/(P·N)) Σ_pn ỹ_pn (s_p − s_n). */
  psi: number;
  /** ψ(x, y*) for the ground truth (every positive above every negative) = mean(s_P) − mean(s_N). */
  psiTruth: number;
  /** Structured hinge loss Δ_AP(y*, ỹ) + ψ(x, ỹ) − ψ(x, y*) ≥ 1 − AP(ranking by the scores) ≥ 0. */
  loss: number;
  /** ∂loss/∂s_p = (1/(PN)) Σ_n (ỹ_pn − 1) = −2·(negatives above p)/(PN), input order. */
  gradPos: Float64Array;
  /** ∂loss/∂s_n = (1/(PN)) Σ_p (1 − ỹ_pn) = 2·(positives below n)/(PN), input order. */
  gradNeg: Float64Array;
}

/**
 * Solves ỹ = argmax_y Δ_AP(y*, y) + ψ(x, y) over all rankings y of P positives (scores
 * `scoresPos`) and N negatives (`scoresNeg`), exactly.
 *
 * Algorithm (Yue et al. 2007, Algorithm 2). Some optimal ranking keeps each group in score
 * order (exchange argument: ψ prefers it, Δ_AP only sees the interleaving), so ỹ is given by
 * k_j ∈ [0, P], the number of positives above the j-th best negative. With positives sorted
 * s_1 ≥ … ≥ s_P, the objective separates over negatives:
 *   Δ_AP = (1/P) Σ_j Σ_{i > k_j} d(i, j),   d(i, j) = i / ((i + j)(i + j − 1))
 *   (telescoping i/(i + n_i) with n_i negatives above the i-th positive),
 *   ψ = (1/(PN)) Σ_j [ Σ_{i ≤ k_j} (s_i − s̄_j) − Σ_{i > k_j} (s_i − s̄_j) ],
 * so moving negative j below positive k changes the objective by
 *   g_j(k) = −d(k, j)/P + 2(s_k − s̄_j)/(PN),
 * and each k_j maximizes the prefix sums of g_j independently. g_j(k) is non-decreasing in j
 * (d decreases in j, s̄_j decreases), so these maximizers are monotone and form a valid
 * ranking: the independent optimum is the joint optimum. O(P·N) after two sorts.
 *
 * Ties: among equal objective values the smallest k_j (negative as high as possible) is taken;
 * groups are sorted stably by score. Ties change which maximizer is returned, never its value.
 * Throws unless P ≥ 1 and N ≥ 1 (the loss is undefined otherwise).
 */
export function apLossAugmentedInference(scoresPos: ArrayLike<number>, scoresNeg: ArrayLike<number>): ApInference {
  const P = scoresPos.length;
  const N = scoresNeg.length;
  if (P < 1 || N < 1) throw new RangeError(`apLossAugmentedInference: needs at least one positive and one negative, got ${P} positive(s) and ${N} negative(s)`);
  for (const [name, s] of [['scoresPos', scoresPos], ['scoresNeg', scoresNeg]] as const) {
    for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i]!)) throw new RangeError(`apLossAugmentedInference: ${name}[${i}] is ${s[i]}; scores must be finite`);
  }
  const posOrder = sortedDescending(scoresPos);
  const negOrder = sortedDescending(scoresNeg);
  const sp = Float64Array.from(posOrder, (i) => scoresPos[i]!);
  const PN = P * N;

  // k_j for each negative in sorted order.
  const kSorted = new Int32Array(N);
  for (let j = 1; j <= N; j++) {
    const sn = scoresNeg[negOrder[j - 1]!]!;
    let acc = 0;
    let best = 0;
    let bestK = 0;
    for (let k = 1; k <= P; k++) {
      acc += -k / ((k + j) * (k + j - 1)) / P + (2 * (sp[k - 1]! - sn)) / PN;
      if (acc > best) {
        best = acc;
        bestK = k;
      }
    }
    kSorted[j - 1] = bestK;
  }

  // Ranking matrix, AP, ψ and gradients in input order.
  const ranking = new Int8Array(PN);
  const positivesAbove = new Int32Array(N);
  const negativesAbove = new Int32Array(P); // per sorted positive
  for (let j = 0; j < N; j++) {
    const n = negOrder[j]!;
    const k = kSorted[j]!;
    positivesAbove[n] = k;
    for (let i = 0; i < P; i++) {
      const above = i < k;
      ranking[posOrder[i]! * N + n] = above ? 1 : -1;
      if (!above) negativesAbove[i]!++;
    }
  }
  let ap = 0;
  for (let i = 0; i < P; i++) ap += (i + 1) / (i + 1 + negativesAbove[i]!);
  const deltaAP = 1 - ap / P;

  let psi = 0;
  let sumPos = 0;
  let sumNeg = 0;
  for (let p = 0; p < P; p++) {
    sumPos += scoresPos[p]!;
    for (let n = 0; n < N; n++) psi += ranking[p * N + n]! * (scoresPos[p]! - scoresNeg[n]!);
  }
  for (let n = 0; n < N; n++) sumNeg += scoresNeg[n]!;
  psi /= PN;
  const psiTruth = sumPos / P - sumNeg / N;

  const gradPos = new Float64Array(P);
  for (let i = 0; i < P; i++) gradPos[posOrder[i]!] = (-2 * negativesAbove[i]!) / PN;
  const gradNeg = new Float64Array(N);
  for (let n = 0; n < N; n++) gradNeg[n] = (2 * (P - positivesAbove[n]!)) / PN;

  return { ranking, positivesAbove, deltaAP, psi, psiTruth, loss: deltaAP + psi - psiTruth, gradPos, gradNeg };
}

/** Indices sorting s in descending order, stable (equal scores keep input order). */
function sortedDescending(s: ArrayLike<number>): Int32Array {
  const idx = Int32Array.from({ length: s.length }, (_, i) => i);
  return idx.sort((a, b) => s[b]! - s[a]! || a - b);
}
