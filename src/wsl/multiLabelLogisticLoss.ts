// Multi-label logistic loss with "difficult" entries left out (VOC-style labels).
import { tidy, where, type Tensor } from '../core/index.js';
import { checkSameShape, checkScores } from './checks.js';
import { checkLabels } from './labels.js';
import { checkReduction } from '../nn/functional.js';

/**
 * Multi-label logistic loss: scores [B, C] against labels [B, C] in {+1, −1, 0}:
 *   loss = mean over entries with y ≠ 0 of log(1 + exp(−y·s))
 * An entry labelled 0 ("difficult", VOC) is left out of its class's loss: it contributes no
 * value and receives zero gradient, and it is not counted in the mean. `reduction: 'sum'`
 * sums instead of averaging. With no counted entry the loss is 0 (and still differentiable).
 * @example const loss = multiLabelLogisticLoss(scores, tensor([[1, -1, 0]]));
 */
export function multiLabelLogisticLoss(scores: Tensor, labels: Tensor, opts: { reduction?: 'mean' | 'sum' } = {}): Tensor {
  checkScores('multiLabelLogisticLoss', scores);
  checkSameShape('multiLabelLogisticLoss', scores, labels);
  const reduction = checkReduction('multiLabelLogisticLoss()', opts.reduction, ['mean', 'sum']);
  return tidy(() => {
    const y = checkLabels('multiLabelLogisticLoss', labels).to(scores.dtype);
    const counted = y.ne(0);
    // −log σ(y·s) = log(1 + exp(−y·s)), stable; where() sends no gradient to left-out entries.
    const perEntry = where(counted, y.mul(scores).logSigmoid().neg(), 0);
    const total = perEntry.sum();
    if (reduction === 'sum') return total;
    const count = counted.sum().item();
    return count === 0 ? total : total.div(count);
  });
}
