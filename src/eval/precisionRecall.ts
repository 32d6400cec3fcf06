import { checkNoNaN, checkSameLength, decodeLabel, type LabelFormat } from './validate.js';
import { outOfRange } from '../core/errors.js';

/**
 * How tied scores are ranked.
 * - `'group'` (default): items with equal scores form one threshold; the curve
 *   gets a single point after the whole group (as sklearn's
 *   `precision_recall_curve`). The result does not depend on input order.
 * - `'stable'`: ties keep their input order (a stable sort, as the MATLAB
 *   VOC devkit's `sort`), one curve point per item. Use it to reproduce the
 *   devkit bit for bit; the result then depends on how ties were ordered.
 */
export type TieHandling = 'group' | 'stable';

/** Options shared by the ranking metrics. */
export interface RankingOptions {
  /** `'voc'` (default): 1 positive, -1 negative, 0 difficult (ignored). `'binary'`: 1 positive, 0 negative. */
  labelFormat?: LabelFormat;
  /** Tie handling, default `'group'`; see {@link TieHandling}. */
  ties?: TieHandling;
}

/** Options of {@link precisionRecallCurve} and `averagePrecision`. */
export interface CurveOptions extends RankingOptions {
  /**
   * Total number of positives, when some were never scored (a detector or a
   * point localizer that produced nothing for them): recall is divided by this
   * instead of by the positives among `labels`. Must be ≥ those positives.
   */
  numPositives?: number;
}

/**
 * One precision/recall point per threshold, ordered by decreasing score
 * (so recall is non-decreasing).
 */
export interface PrecisionRecallCurve {
  /** tp / (tp + fp) after each threshold. */
  precision: Float64Array;
  /** tp / numPositives after each threshold (NaN if there are no positives). */
  recall: Float64Array;
  /** Cumulative true positives after each threshold (exact integers, for exact comparisons). */
  truePositives: Int32Array;
  /** Score of the last item included at each threshold. */
  thresholds: Float64Array;
  /** Number of positive (non-ignored) items. */
  numPositives: number;
}

/**
 * Precision/recall curve of a ranking. Items are sorted by decreasing score;
 * ignored items (VOC difficult, label 0) are removed before ranking, so they
 * count neither as true nor as false positives.
 *
 * @example
 * const c = precisionRecallCurve([0.9, 0.8, 0.7], [1, -1, 1]);
 * // c.precision = [1, 0.5, 0.667], c.recall = [0.5, 0.5, 1]
 */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: CurveOptions = {},
  where = 'precisionRecallCurve',
): PrecisionRecallCurve {
  const format = opts.labelFormat ?? 'voc';
  const ties = opts.ties ?? 'group';
  if (ties !== 'group' && ties !== 'stable') {
    throw outOfRange(`option ties of ${where}()`, "'group' or 'stable'", ties);
  }
  checkSameLength(where, 'scores', scores, 'labels', labels);
  checkNoNaN(where, 'scores', scores);

  const kept: number[] = [];
  const positive: boolean[] = [];
  let numPositives = 0;
  for (let i = 0; i < labels.length; i++) {
    const kind = decodeLabel(where, 'labels', i, labels[i]!, format);
    positive[i] = kind === 1;
    if (kind === 0) continue;
    kept.push(i);
    if (kind === 1) numPositives++;
  }
  if (opts.numPositives !== undefined) {
    const total = opts.numPositives;
    if (!Number.isInteger(total) || total < numPositives) {
      throw new RangeError(
        `${where}: numPositives is ${String(total)} but labels contain ${numPositives} positives; ` +
          `numPositives must be an integer ≥ the labelled positives`,
      );
    }
    numPositives = total;
  }
  // Decreasing score; equal scores by input index, so the order is deterministic
  // (and exactly the stable order the devkit uses).
  kept.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa > sb) return -1;
    if (sa < sb) return 1;
    return a - b;
  });

  const precision: number[] = [];
  const recall: number[] = [];
  const truePositives: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let r = 0; r < kept.length; r++) {
    const i = kept[r]!;
    if (positive[i]) tp++;
    else fp++;
    const groupContinues = ties === 'group' && r + 1 < kept.length && scores[kept[r + 1]!] === scores[i];
    if (groupContinues) continue;
    precision.push(tp / (tp + fp));
    recall.push(numPositives > 0 ? tp / numPositives : Number.NaN);
    truePositives.push(tp);
    thresholds.push(scores[i]!);
  }
  return {
    precision: Float64Array.from(precision),
    recall: Float64Array.from(recall),
    truePositives: Int32Array.from(truePositives),
    thresholds: Float64Array.from(thresholds),
    numPositives,
  };
}
