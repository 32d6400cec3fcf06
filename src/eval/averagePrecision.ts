import { precisionRecallCurve, type CurveOptions, type PrecisionRecallCurve } from './precisionRecall.js';
import { outOfRange } from '../core/errors.js';

/**
 * Which VOC definition of AP.
 * - `'voc2010'` (default): area under the interpolated PR curve, where the
 *   interpolated precision at recall r is the best precision at any recall ≥ r
 *   (the monotone envelope). Used by VOC 2010–2012 and most WSL papers.
 * - `'voc2007'`: 11-point interpolated AP, mean of the interpolated precision
 *   at recall 0, 0.1, …, 1 (0 where that recall is never reached).
 */
export type APMethod = 'voc2010' | 'voc2007';

/** Options of {@link averagePrecision}. */
export interface AveragePrecisionOptions extends CurveOptions {
  /** AP definition, default `'voc2010'`. */
  method?: APMethod;
}

/**
 * AP of a computed precision/recall curve. NaN if the curve has no positives.
 *
 * The 11-point thresholds are tested in integer arithmetic (tp·10 ≥ k·P), so a
 * recall of exactly 0.3 counts for the 0.3 point (reimplementations that use
 * `np.arange(0, 1.1, 0.1)` compare against 0.30000000000000004 and miss it).
 */
export function averagePrecisionFromCurve(curve: PrecisionRecallCurve, method: APMethod = 'voc2010'): number {
  const { precision, recall, truePositives, numPositives } = curve;
  if (numPositives === 0) return Number.NaN;
  const n = precision.length;
  // envelope[i] = max precision over points i..n-1 (interpolated precision).
  const envelope = new Float64Array(n);
  let best = 0;
  for (let i = n - 1; i >= 0; i--) {
    best = Math.max(best, precision[i]!);
    envelope[i] = best;
  }
  if (method === 'voc2010') {
    let ap = 0;
    let prevRecall = 0;
    for (let i = 0; i < n; i++) {
      const r = recall[i]!;
      if (r !== prevRecall) {
        ap += (r - prevRecall) * envelope[i]!;
        prevRecall = r;
      }
    }
    return ap;
  }
  if (method === 'voc2007') {
    let sum = 0;
    let i = 0; // first point with recall ≥ k/10; recall is non-decreasing
    for (let k = 0; k <= 10; k++) {
      while (i < n && truePositives[i]! * 10 < k * numPositives) i++;
      if (i < n) sum += envelope[i]!;
    }
    return sum / 11;
  }
  throw outOfRange('option method of averagePrecision()', "'voc2010' or 'voc2007'", method);
}

/**
 * Average precision of one binary ranking (one class), VOC definition.
 *
 * - Labels (`labelFormat: 'voc'`, the default): 1 positive, -1 negative,
 *   0 difficult — difficult items are removed before ranking, so they never
 *   count as false positives nor as missed positives.
 *   `labelFormat: 'binary'` reads 1 positive / 0 negative instead.
 * - Ties: by default items with equal scores form one threshold, so AP does not
 *   depend on input order; `ties: 'stable'` ranks ties in input order like the
 *   VOC devkit (see `TieHandling` in precisionRecall.ts).
 * - No positives (all negative or difficult): returns NaN; `meanAveragePrecision`
 *   skips such classes.
 * - Throws on length mismatch, NaN scores or labels outside the chosen format.
 *
 * @example
 * averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, -1, 1, -1, 1]);                        // 34/45
 * averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, -1, 1, -1, 1], { method: 'voc2007' }); // 8.4/11
 */
export function averagePrecision(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: AveragePrecisionOptions = {},
): number {
  const method = opts.method ?? 'voc2010';
  if (method !== 'voc2010' && method !== 'voc2007') {
    throw outOfRange('option method of averagePrecision()', "'voc2010' or 'voc2007'", method);
  }
  const curve = precisionRecallCurve(scores, labels, opts, 'averagePrecision');
  return averagePrecisionFromCurve(curve, method);
}
