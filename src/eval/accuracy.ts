import { matrixView, type NumberMatrix } from './matrix.js';
import { checkInteger, checkSameLength } from './validate.js';

/**
 * Rank of the target class in one row of scores, 0 = best.
 * Ties are broken by class index (lower index ranks first), the same choice as
 * `argmax` in numpy/PyTorch, so a tie never favours the target by accident.
 */
function targetRank(row: Float64Array, target: number): number {
  const t = row[target]!;
  let rank = 0;
  for (let c = 0; c < row.length; c++) {
    const v = row[c]!;
    if (v > t || (v === t && c < target)) rank++;
  }
  return rank;
}

/**
 * Top-k accuracy of a multi-class classifier: the fraction of rows whose
 * target class is among the k highest scores.
 *
 * `scores` is [N × C] (arrays of rows or `{data, shape}`); `targets` holds one
 * class index in [0, C) per row. Equal scores rank by class index (lower
 * first), as `argmax` does. k is clamped to C. Returns NaN for N = 0.
 * Throws on NaN scores, shape mismatch or an out-of-range target.
 *
 * @example
 * topKAccuracy([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], [2, 0], 2); // 1
 */
export function topKAccuracy(scores: NumberMatrix, targets: ArrayLike<number>, k: number): number {
  const where = k === 1 ? 'accuracy' : 'topKAccuracy';
  checkInteger(where, 'k', k, 1);
  const s = matrixView(where, 'scores', scores);
  checkSameLength(where, 'scores (rows)', { length: s.rows }, 'targets', targets);
  if (s.rows === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < s.rows; i++) {
    const target = targets[i]!;
    if (!Number.isInteger(target) || target < 0 || target >= s.cols) {
      throw new RangeError(`${where}: targets[${i}] = ${String(target)}; expected a class index in [0, ${s.cols})`);
    }
    const row = s.row(i);
    for (let c = 0; c < row.length; c++) {
      if (Number.isNaN(row[c]!)) {
        throw new RangeError(`${where}: scores[${i}][${c}] is NaN; scores must be numbers`);
      }
    }
    if (targetRank(row, target) < k) correct++;
  }
  return correct / s.rows;
}

/**
 * Accuracy of a multi-class classifier: top-1 by default, top-k with `{k}`
 * (see {@link topKAccuracy} for ties and errors).
 *
 * @example
 * accuracy([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], [1, 2]);           // 0.5
 * accuracy([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], [1, 2], { k: 2 }); // 1
 */
export function accuracy(scores: NumberMatrix, targets: ArrayLike<number>, opts: { k?: number } = {}): number {
  return topKAccuracy(scores, targets, opts.k ?? 1);
}
