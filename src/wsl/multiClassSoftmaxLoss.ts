// Multi-class softmax (cross-entropy) loss, for scene-style single-label data.
import { isTensor, op, tensor, tidy, type Tensor } from '../core/index.js';
import { checkScores } from './checks.js';
import { checkReduction } from '../nn/functional.js';

/**
 * Softmax cross-entropy: scores [B, C] against integer class indices targets [B] in [0, C):
 *   loss = mean_b ( logsumexp_c s_bc − s_b,target )       (reduction 'sum' sums over b)
 * targets may be an integer Tensor or an array of numbers.
 * @example const loss = multiClassSoftmaxLoss(scores, [3, 0, 7]);
 */
export function multiClassSoftmaxLoss(scores: Tensor, targets: Tensor | ArrayLike<number>, opts: { reduction?: 'mean' | 'sum' } = {}): Tensor {
  const [b, c] = checkScores('multiClassSoftmaxLoss', scores);
  const reduction = checkReduction('multiClassSoftmaxLoss()', opts.reduction, ['mean', 'sum']);
  if (isTensor(targets) && targets.rank !== 1) {
    throw new RangeError(`multiClassSoftmaxLoss: targets must be class indices [batch] (rank 1), got shape [${targets.shape.join(', ')}]`);
  }
  const values = isTensor(targets) ? targets.toNumbers() : Array.from(targets);
  if (values.length !== b) throw new RangeError(`multiClassSoftmaxLoss: targets has ${values.length} entries but scores has batch ${b} (shape [${b}, ${c}])`);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= c) throw new RangeError(`multiClassSoftmaxLoss: targets[${i}] = ${v} is not a class index in [0, ${c}) (scores shape [${b}, ${c}])`);
  });
  return tidy(() => {
    const index = tensor(values, { dtype: 'int64', shape: [b, 1] });
    const logp = op('aten::log_softmax', 'int')(scores, 1, null) as Tensor;
    const nll = logp.gather(1, index).neg();
    return reduction === 'mean' ? nll.mean() : nll.sum();
  });
}
