import { averagePrecision, type APMethod } from './averagePrecision.js';
import { matrixView, type NumberMatrix } from './matrix.js';
import type { RankingOptions } from './precisionRecall.js';

/** Options of {@link meanAveragePrecision}. */
export interface MeanAveragePrecisionOptions extends RankingOptions {
  /** AP definition, default `'voc2010'`. */
  method?: APMethod;
}

/** Per-class AP and their mean. */
export interface MeanAveragePrecisionResult {
  /** AP of each class; NaN for a class without positives. */
  perClass: number[];
  /** Mean AP over the classes with at least one positive; NaN if none has. */
  mean: number;
  /** Number of positive (non-difficult) images per class. */
  numPositives: number[];
}

/**
 * Per-class AP and mAP of a multi-label classifier.
 *
 * `scores` and `labels` are [N images × C classes] matrices (arrays of rows or
 * `{data, shape}`); column c is ranked on its own with {@link averagePrecision}.
 * Labels follow VOC: 1 present, -1 absent, 0 difficult (ignored for that
 * class); `labelFormat: 'binary'` reads 1/0. The mean is taken over the classes
 * that have at least one positive (a class with no positive has undefined AP).
 *
 * @example
 * const { perClass, mean } = meanAveragePrecision(
 *   [[0.9, 0.1], [0.2, 0.8], [0.4, 0.3]],
 *   [[1, -1], [-1, 1], [-1, -1]],
 * ); // perClass = [1, 1], mean = 1
 */
export function meanAveragePrecision(
  scores: NumberMatrix,
  labels: NumberMatrix,
  opts: MeanAveragePrecisionOptions = {},
): MeanAveragePrecisionResult {
  const where = 'meanAveragePrecision';
  const s = matrixView(where, 'scores', scores);
  const l = matrixView(where, 'labels', labels);
  if (s.rows !== l.rows || s.cols !== l.cols) {
    throw new RangeError(
      `${where}: scores is [${s.rows} × ${s.cols}] but labels is [${l.rows} × ${l.cols}]; ` +
        `both must be [images × classes]`,
    );
  }
  const perClass: number[] = [];
  const numPositives: number[] = [];
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < s.cols; c++) {
    const col = l.column(c);
    let ap: number;
    try {
      ap = averagePrecision(s.column(c), col, opts);
    } catch (e) {
      // Say which class (column) was bad; the inner message has the row index. Same class.
      const Kind = e instanceof RangeError ? RangeError : e instanceof TypeError ? TypeError : Error;
      throw new Kind(`${where}: class ${c} (index below = image row): ${(e as Error).message}`);
    }
    let pos = 0;
    for (let i = 0; i < col.length; i++) if (col[i] === 1) pos++;
    perClass.push(ap);
    numPositives.push(pos);
    if (!Number.isNaN(ap)) {
      sum += ap;
      counted++;
    }
  }
  return { perClass, mean: counted > 0 ? sum / counted : Number.NaN, numPositives };
}
