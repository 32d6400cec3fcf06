// Multi-label logistic loss with "difficult" entries left out (VOC-style labels).
import { tidy, type Tensor } from '../core/index.js';
import { checkSameShape, checkScores } from './checks.js';
import { checkLabels } from './labels.js';
import { binaryCrossEntropyWithLogits, checkReduction } from '../nn/functional.js';

/**
 * Multi-label logistic loss: scores [B, C] against labels [B, C] in {+1, −1, 0}:
 *   loss = mean over entries with y ≠ 0 of log(1 + exp(−y·s))
 * An entry labelled 0 ("difficult", VOC) is left out of its class's loss: it contributes no
 * value and receives zero gradient, and it is not counted in the mean. `reduction: 'sum'`
 * sums instead of averaging. With no counted entry the loss is 0 (and still differentiable).
 *
 * Computed by libtorch's fused binary_cross_entropy_with_logits on targets (y + 1) / 2: without
 * difficult entries this is PyTorch's `BCEWithLogitsLoss()` bit for bit (the lockstep guard,
 * `npm run parity`, relies on it: another formula rounds differently, and training amplifies a
 * one-ULP difference by ~10× per step until the runs part ways).
 * @example const loss = multiLabelLogisticLoss(scores, tensor([[1, -1, 0]]));
 */
export function multiLabelLogisticLoss(scores: Tensor, labels: Tensor, opts: { reduction?: 'mean' | 'sum' } = {}): Tensor {
  checkScores('multiLabelLogisticLoss', scores);
  checkSameShape('multiLabelLogisticLoss', scores, labels);
  const reduction = checkReduction('multiLabelLogisticLoss()', opts.reduction, ['mean', 'sum']);
  return tidy(() => {
    const y = checkLabels('multiLabelLogisticLoss', labels).to(scores.dtype);
    const targets = y.add(1).mul(0.5); // 1 → 1, −1 → 0 (0 → 0.5, masked out below)
    const counted = y.ne(0);
    const count = counted.sum().item();
    if (count === y.size && reduction === 'mean') return binaryCrossEntropyWithLogits(scores, targets);
    // The 0/1 mask leaves difficult entries out: no value, zero gradient.
    const total = binaryCrossEntropyWithLogits(scores, targets, { weight: counted.to(scores.dtype), reduction: 'sum' });
    return reduction === 'sum' || count === 0 ? total : total.div(count);
  });
}
