// Structured average-precision ranking loss over a batch (Durand et al., TPAMI 2019 §5.1.2).
import { noGrad, tensor, tidy, type Tensor } from '../core/index.js';
import { apLossAugmentedInference } from './apLossAugmentedInference.js';
import { checkSameShape, checkScores } from './checks.js';
import { checkLabels } from './labels.js';
import { checkReduction } from '../nn/functional.js';

/**
 * Structured AP ranking loss of pooled scores [B, C] with labels [B, C] in {+1, −1, 0}.
 * For each class c, over the images of the batch (positives P: y = +1, negatives N: y = −1,
 * difficult y = 0 left out):
 *   loss_c = max_y [Δ_AP(y*, y) + ψ(x, y)] − ψ(x, y*),   ψ(x, y) = (1/(|P||N|)) Σ_pn y_pn (s_p − s_n)
 * with the maximization solved exactly by apLossAugmentedInference (Yue et al. 2007).
 * loss_c upper-bounds 1 − AP(ranking of the batch by s). The gradient w.r.t. s is given by
 * the coefficients of ψ(x, ỹ) − ψ(x, y*) (ỹ fixed, the usual subgradient of the hinge), so
 * the loss is built as Σ_c Δ_c + Σ_bc coef_bc · s_bc and flows back into the pooling.
 *
 * A class with no positive or no negative in the batch has no ranking and contributes nothing;
 * `reduction: 'mean'` (default) averages over the classes that contribute, 'sum' sums them.
 * With no contributing class the loss is 0 (still connected to scores, zero gradient).
 * Scores are read back to the host once per call (the inference runs in plain TypeScript).
 */
export function apRankingLoss(scores: Tensor, labels: Tensor, opts: { reduction?: 'mean' | 'sum' } = {}): Tensor {
  const [b, c] = checkScores('apRankingLoss', scores);
  checkSameShape('apRankingLoss', scores, labels);
  const reduction = checkReduction('apRankingLoss()', opts.reduction, ['mean', 'sum']);
  checkLabels('apRankingLoss', labels);
  const s = noGrad(() => tidy(() => scores.detach().to('float64').toArray() as Float64Array));
  const y = labels.toNumbers();
  const coef = new Float64Array(b * c);
  let delta = 0;
  let classes = 0;
  for (let k = 0; k < c; k++) {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < b; i++) {
      const v = y[i * c + k]!;
      if (v === 1) pos.push(i);
      else if (v === -1) neg.push(i);
    }
    if (pos.length === 0 || neg.length === 0) continue;
    const r = apLossAugmentedInference(
      pos.map((i) => s[i * c + k]!),
      neg.map((i) => s[i * c + k]!),
    );
    pos.forEach((i, p) => (coef[i * c + k] = r.gradPos[p]!));
    neg.forEach((i, n) => (coef[i * c + k] = r.gradNeg[n]!));
    delta += r.deltaAP;
    classes++;
  }
  const scale = reduction === 'mean' && classes > 0 ? 1 / classes : 1;
  return tidy(() => {
    for (let i = 0; i < coef.length; i++) coef[i] = coef[i]! * scale;
    const w = tensor(coef, { shape: [b, c], dtype: scores.dtype });
    return scores.mul(w).sum().add(delta * scale);
  });
}
