// Label checks shared by the multi-label losses.
import { noGrad, tidy, type Tensor } from '../core/index.js';

/**
 * Checks that every label is +1 (present), −1 (absent) or 0 (difficult: left out) and
 * returns the labels (the same tensor).
 */
export function checkLabels(fn: string, labels: Tensor): Tensor {
  const bad = tidy(() =>
    noGrad(() => {
      const y = labels.dtype === 'bool' ? labels.to('int64') : labels;
      return y.ne(1).logicalAnd(y.ne(-1)).logicalAnd(y.ne(0)).any().item() !== 0;
    }),
  );
  if (bad) throw new RangeError(`${fn}: labels must be +1 (present), −1 (absent) or 0 (difficult, left out), got other values in labels of shape [${labels.shape.join(', ')}]`);
  return labels;
}
