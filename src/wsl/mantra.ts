// MANTRA: the Minimum mAximum latent structural SVM (Durand, Thome, Cord, ICCV 2015; TPAMI 2019 §3,
// of which WELDON is the deep, k-region generalization). Each output y has a pair of latent
// regions: h⁺ = argmax_h ⟨w_y, x_h⟩ and h⁻ = argmin_h ⟨w_y, x_h⟩, and its score sums both:
//   s(x, y) = ⟨w_y, x_{h⁺} + x_{h⁻}⟩   (TPAMI eq. 3 without its 1/2, as the MANTRA code).
// Over class maps z_y(h) = ⟨w_y, x_h⟩ (+ bias) this is mantraPool: max + min. The three
// instantiations differ in their output space and loss Δ; each loss-augmented inference (LAI)
// is exact and cheap because the scores decouple from the latent choice (TPAMI Prop. 1):
//   multi-class  y ∈ {1..C}, Δ 0/1:   ŷ = argmax_y [Δ(y*, y) + s_y]
//   multi-label  one binary SVM per class, y ∈ {−1, +1}, F(x, y, h) = y⟨w, x_h⟩/2 so that the
//                margin-rescaled loss is the hinge max(0, 1 − y*·s)
//   AP ranking   the ranking SSVM of TPAMI §5.1.2 over a set of images, LAI by Yue et al.'s
//                greedy algorithm (apLossAugmentedInference) on the scores s.
// Functions here work on plain arrays (inference, LAI) or return the loss as a tensor whose
// gradient w.r.t. the scores is the SSVM subgradient ψ(x, ỹ) − ψ(x, y*), so autograd carries it
// through max + min to the selected regions only.
import { Tensor, tensor, tidy } from '../core/index.js';
import { apRankingLoss } from './apRankingLoss.js';
import { checkScores } from './checks.js';

/** MANTRA's prediction for a batch of class maps. */
export interface MantraInference {
  /** [B × C] flat index (row-major over h × w) of each class map's highest region h⁺. */
  hPlus: Int32Array;
  /** [B × C] flat index of each class map's lowest region h⁻. */
  hMinus: Int32Array;
  /** [B × C] s = z(h⁺) + z(h⁻). */
  scores: Float64Array;
  /** [B] argmax_y s (multi-class prediction). */
  predicted: Int32Array;
}

/**
 * Inference (TPAMI eqs. 1–4) on class maps [B, C, h, w] (given as a tensor or as a flat
 * row-major array with its shape). Ties follow wildcatPool: among equal values h⁺ is the lowest
 * flat index and h⁻ the highest; the predicted class is the lowest index among equal scores.
 */
export function mantraInference(maps: Tensor | { data: ArrayLike<number>; shape: readonly number[] }): MantraInference {
  const shape = maps.shape;
  if (shape.length !== 4) throw new RangeError(`mantraInference: class maps must be [B, C, h, w], got [${shape.join(', ')}]`);
  const [B, C, h, w] = shape as [number, number, number, number];
  const n = h * w;
  if (n === 0) throw new RangeError('mantraInference: class maps have no region');
  const z = maps instanceof Tensor ? tidy(() => maps.detach().to('float64').toArray() as Float64Array) : maps.data;
  if (z.length !== B * C * n) throw new RangeError(`mantraInference: ${z.length} values for shape [${shape.join(', ')}]`);
  const hPlus = new Int32Array(B * C);
  const hMinus = new Int32Array(B * C);
  const scores = new Float64Array(B * C);
  const predicted = new Int32Array(B);
  for (let bc = 0; bc < B * C; bc++) {
    const o = bc * n;
    let hp = 0;
    let hm = 0;
    for (let r = 1; r < n; r++) {
      if (z[o + r]! > z[o + hp]!) hp = r;
      if (z[o + r]! <= z[o + hm]!) hm = r;
    }
    hPlus[bc] = hp;
    hMinus[bc] = hm;
    scores[bc] = z[o + hp]! + z[o + hm]!;
  }
  for (let b = 0; b < B; b++) predicted[b] = argmax(scores, b * C, C);
  return { hPlus, hMinus, scores, predicted };
}

/** Multi-class LAI: argmax_y [Δ01(y*, y) + s_y] over the C scores of one image (lowest index among ties). */
export function mantraMultiClassLAI(scores: ArrayLike<number>, yStar: number): number {
  if (!(Number.isInteger(yStar) && yStar >= 0 && yStar < scores.length)) throw new RangeError(`mantraMultiClassLAI: y* = ${yStar} outside [0, ${scores.length})`);
  const aug = Float64Array.from(scores, (s, y) => s + (y === yStar ? 0 : 1));
  return argmax(aug, 0, aug.length);
}

/** Multi-label (binary) LAI for one class: ŷ = y* when y*·s ≥ 1 (margin met), else −y*. */
export function mantraBinaryLAI(score: number, yStar: 1 | -1): 1 | -1 {
  if (yStar !== 1 && yStar !== -1) throw new RangeError(`mantraBinaryLAI: y* must be 1 or -1, got ${String(yStar)}`);
  return yStar * score >= 1 ? yStar : (-yStar as 1 | -1);
}

/** The MANTRA instantiations. */
export type MantraVariant = 'multiclass' | 'multilabel' | 'ap';

/**
 * The structured hinge loss of a batch of MANTRA scores [B, C] (mantraPool of the class maps),
 * averaged over the images (multi-class, multi-label) or over the classes (AP, apRankingLoss):
 * - 'multiclass' (`target` [B] class indices): max_y [Δ01 + s_y] − s_{y*};
 * - 'multilabel' (`target` [B × C] labels 1 / −1, 0 = ignored): Σ_c max(0, 1 − y*·s_c);
 * - 'ap' (`target` [B × C] labels): the AP ranking loss over the batch, per class.
 * Its gradient w.r.t. the scores is the SSVM subgradient at the LAI solution.
 */
export function mantraLoss(scores: Tensor, target: Int32Array | Int8Array, variant: MantraVariant): Tensor {
  const [B, C] = checkScores('mantraLoss', scores);
  if (variant === 'ap') return tidy(() => apRankingLoss(scores, tensor(Float32Array.from(target), { shape: [B, C], dtype: scores.dtype })));
  const s = tidy(() => scores.detach().to('float64').toArray() as Float64Array);
  const coef = new Float64Array(B * C);
  let constant = 0;
  if (variant === 'multiclass') {
    if (target.length !== B) throw new RangeError(`mantraLoss: ${target.length} class indices for ${B} images`);
    for (let i = 0; i < B; i++) {
      const yStar = target[i]!;
      const yHat = mantraMultiClassLAI(s.subarray(i * C, (i + 1) * C), yStar);
      if (yHat !== yStar) {
        coef[i * C + yHat] = 1 / B;
        coef[i * C + yStar] = -1 / B;
        constant += 1 / B;
      }
    }
  } else if (variant === 'multilabel') {
    if (target.length !== B * C) throw new RangeError(`mantraLoss: ${target.length} labels for ${B} × ${C} scores`);
    for (let k = 0; k < B * C; k++) {
      const y = target[k]!;
      if (y === 0) continue;
      if (y !== 1 && y !== -1) throw new RangeError(`mantraLoss: label ${y} at ${k}; expected 1, -1 or 0`);
      if (mantraBinaryLAI(s[k]!, y) !== y) {
        coef[k] = -y / B;
        constant += 1 / B;
      }
    }
  } else {
    throw new RangeError(`mantraLoss: unknown variant '${String(variant)}'; expected multiclass, multilabel or ap`);
  }
  return tidy(() => scores.mul(tensor(coef, { shape: [B, C], dtype: scores.dtype })).sum().add(constant));
}

function argmax(a: ArrayLike<number>, from: number, count: number): number {
  let best = 0;
  for (let k = 1; k < count; k++) if (a[from + k]! > a[from + best]!) best = k;
  return best;
}
