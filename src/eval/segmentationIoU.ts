import { checkInteger, checkSameLength } from './validate.js';

/** The VOC label of "void" pixels (object borders, unlabelled): not evaluated. */
export const VOID_LABEL = 255;

/** Segmentation scores derived from a confusion matrix. */
export interface SegmentationMetrics {
  /** IoU = TP / (TP + FP + FN) per class; NaN for a class absent from both prediction and ground truth. */
  perClassIoU: number[];
  /** Mean of the non-NaN per-class IoUs; NaN if there is none. */
  meanIoU: number;
  /** Correct pixels / evaluated pixels (void excluded); NaN if no pixel was evaluated. */
  pixelAccuracy: number;
  /** Per-class recall TP / (TP + FN); NaN for a class absent from the ground truth. */
  perClassAccuracy: number[];
  /** Mean of the non-NaN per-class accuracies. */
  meanClassAccuracy: number;
}

function meanIgnoringNaN(values: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isNaN(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : Number.NaN;
}

/**
 * Scores of a K×K confusion matrix, row-major with rows = ground truth and
 * columns = prediction (`matrix[gt * K + pred]`).
 *
 * A class that appears neither in the ground truth nor in the prediction has
 * IoU 0/0: it is reported as NaN and left out of the mean (it was neither
 * found nor missed). Over a whole VOC split every class is present, so this
 * matters only for small subsets.
 */
export function segmentationMetrics(matrix: ArrayLike<number>, numClasses: number): SegmentationMetrics {
  const where = 'segmentationMetrics';
  checkInteger(where, 'numClasses', numClasses, 1);
  if (matrix.length !== numClasses * numClasses) {
    throw new RangeError(
      `${where}: matrix has ${matrix.length} entries but numClasses = ${numClasses} needs ${numClasses * numClasses}`,
    );
  }
  const K = numClasses;
  const perClassIoU: number[] = [];
  const perClassAccuracy: number[] = [];
  let correct = 0;
  let total = 0;
  for (let c = 0; c < K; c++) {
    const tp = matrix[c * K + c]!;
    let gtCount = 0; // row sum: TP + FN
    let predCount = 0; // column sum: TP + FP
    for (let j = 0; j < K; j++) {
      gtCount += matrix[c * K + j]!;
      predCount += matrix[j * K + c]!;
    }
    const union = gtCount + predCount - tp;
    perClassIoU.push(union > 0 ? tp / union : Number.NaN);
    perClassAccuracy.push(gtCount > 0 ? tp / gtCount : Number.NaN);
    correct += tp;
    total += gtCount;
  }
  return {
    perClassIoU,
    meanIoU: meanIgnoringNaN(perClassIoU),
    pixelAccuracy: total > 0 ? correct / total : Number.NaN,
    perClassAccuracy,
    meanClassAccuracy: meanIgnoringNaN(perClassAccuracy),
  };
}

/**
 * Accumulates a segmentation confusion matrix over images, then reports IoU.
 *
 * Classes are 0..numClasses−1 with background included (VOC: 21 = background
 * + 20 objects). Ground-truth pixels equal to `ignoreIndex` (default 255, VOC
 * void) are skipped whatever was predicted. Any other value outside
 * [0, numClasses) — in the prediction or the ground truth — throws, naming the
 * image and the pixel.
 *
 * @example
 * const cm = new SegmentationConfusion(21);
 * for (const [pred, gt] of pairs) cm.add(pred, gt); // Uint8Array label maps, same size
 * const { meanIoU, perClassIoU, pixelAccuracy } = cm.metrics();
 */
export class SegmentationConfusion {
  readonly numClasses: number;
  readonly ignoreIndex: number;
  /** Counts, row-major [gt × pred]. Float64 so counts stay exact up to 2^53 pixels. */
  readonly matrix: Float64Array;
  /** Number of `add` calls so far (used to name the image in errors). */
  imagesAdded = 0;

  constructor(numClasses: number, opts: { ignoreIndex?: number } = {}) {
    checkInteger('SegmentationConfusion', 'numClasses', numClasses, 1);
    this.numClasses = numClasses;
    this.ignoreIndex = opts.ignoreIndex ?? VOID_LABEL;
    this.matrix = new Float64Array(numClasses * numClasses);
  }

  /**
   * Adds one image: `prediction` and `groundTruth` are label maps of the same
   * size (any layout, compared element by element).
   */
  add(prediction: ArrayLike<number>, groundTruth: ArrayLike<number>): this {
    const where = `SegmentationConfusion.add (image ${this.imagesAdded})`;
    checkSameLength(where, 'prediction', prediction, 'groundTruth', groundTruth);
    const K = this.numClasses;
    const ignore = this.ignoreIndex;
    // Count into a scratch matrix first so a bad pixel leaves the totals untouched.
    const local = new Float64Array(K * K);
    for (let i = 0; i < groundTruth.length; i++) {
      const g = groundTruth[i]!;
      if (g === ignore) continue;
      const p = prediction[i]!;
      if (!(Number.isInteger(g) && g >= 0 && g < K)) {
        throw new RangeError(
          `${where}: groundTruth[${i}] = ${String(g)} is not a class in [0, ${K}) nor the ignore label ${ignore}`,
        );
      }
      if (!(Number.isInteger(p) && p >= 0 && p < K)) {
        throw new RangeError(`${where}: prediction[${i}] = ${String(p)} is not a class in [0, ${K})`);
      }
      local[g * K + p]! += 1;
    }
    for (let j = 0; j < local.length; j++) this.matrix[j]! += local[j]!;
    this.imagesAdded++;
    return this;
  }

  /** Adds another accumulator's counts (e.g. from a worker). */
  merge(other: SegmentationConfusion): this {
    if (other.numClasses !== this.numClasses) {
      throw new RangeError(
        `SegmentationConfusion.merge: other has ${other.numClasses} classes but this has ${this.numClasses}`,
      );
    }
    for (let j = 0; j < this.matrix.length; j++) this.matrix[j]! += other.matrix[j]!;
    this.imagesAdded += other.imagesAdded;
    return this;
  }

  /** Clears all counts. */
  reset(): void {
    this.matrix.fill(0);
    this.imagesAdded = 0;
  }

  /** IoU, mean IoU, pixel accuracy and class accuracies of the counts so far. */
  metrics(): SegmentationMetrics {
    return segmentationMetrics(this.matrix, this.numClasses);
  }
}

/**
 * One-shot segmentation scores over a list of (prediction, ground truth) label
 * maps; see {@link SegmentationConfusion} for the rules.
 *
 * @example
 * segmentationIoU([{ prediction: [0, 1, 1], groundTruth: [0, 1, 255] }], 2).meanIoU; // 1
 */
export function segmentationIoU(
  pairs: Iterable<{ prediction: ArrayLike<number>; groundTruth: ArrayLike<number> }>,
  numClasses: number,
  opts: { ignoreIndex?: number } = {},
): SegmentationMetrics & { matrix: Float64Array } {
  const cm = new SegmentationConfusion(numClasses, opts);
  for (const { prediction, groundTruth } of pairs) cm.add(prediction, groundTruth);
  return { ...cm.metrics(), matrix: cm.matrix };
}
