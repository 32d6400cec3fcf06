import type { PixelBox } from '../data/box.js';
import { averagePrecision, type APMethod } from './averagePrecision.js';
import type { TieHandling } from './precisionRecall.js';
import { checkFinite, checkInteger } from './validate.js';

/** One ground-truth object: a box in original-image pixels (0-based, half-open: see data/box.ts) and its class. */
export interface GroundTruthBox extends PixelBox {
  /** Class index in [0, numClasses). */
  cls: number;
  /** VOC "difficult" flag. */
  difficult?: boolean;
}

/** An evaluation image: its size in pixels and its ground-truth boxes. */
export interface AnnotatedImage {
  id: string;
  width: number;
  height: number;
  boxes: readonly GroundTruthBox[];
}

/**
 * The point predicted for one class in one image (usually the argmax of the
 * class map, mapped to image pixels) with the class score.
 */
export interface PointPrediction {
  /** Index into the `images` array. */
  imageIndex: number;
  cls: number;
  /** The predicted pixel (0-based column x, row y of the original image). */
  x: number;
  y: number;
  score: number;
}

/** Tolerance of Oquab et al. (2015) on PASCAL VOC, in pixels. */
export const POINTWISE_TOLERANCE_PIXELS = 18;
/** Image size the 18-px tolerance refers to: VOC images are at most 500 px on their longer side. */
export const POINTWISE_REFERENCE_SIZE = 500;

/**
 * The localization tolerance scaled to an image's size:
 * `pixels · max(width, height) / referenceSize` (18 · max(w, h) / 500 by
 * default). It is exactly 18 px on a 500-px VOC image and keeps the same
 * fraction of the image on other sizes (≈ 6.9 px on a 192-px scene).
 *
 * @example
 * scaledTolerance(500, 375); // 18
 * scaledTolerance(192, 192); // 6.912
 */
export function scaledTolerance(
  width: number,
  height: number,
  opts: { pixels?: number; referenceSize?: number } = {},
): number {
  const pixels = opts.pixels ?? POINTWISE_TOLERANCE_PIXELS;
  const reference = opts.referenceSize ?? POINTWISE_REFERENCE_SIZE;
  checkFinite('scaledTolerance', 'width', width);
  checkFinite('scaledTolerance', 'height', height);
  checkFinite('scaledTolerance', 'pixels', pixels);
  checkFinite('scaledTolerance', 'referenceSize', reference);
  if (width <= 0 || height <= 0 || reference <= 0 || pixels < 0) {
    throw new RangeError(
      `scaledTolerance: need width, height, referenceSize > 0 and pixels ≥ 0; got ` +
        `width=${width}, height=${height}, referenceSize=${reference}, pixels=${pixels}`,
    );
  }
  return (pixels * Math.max(width, height)) / reference;
}

/**
 * True if the pixel (x, y) (0-based column and row) is one of the pixels `box` covers, the box
 * enlarged by `tolerance` pixels on every side, border included: x0 − tol ≤ x ≤ x1 − 1 + tol
 * (its last pixel column is x1 − 1), and the same for y.
 */
export function pointInBox(x: number, y: number, box: PixelBox, tolerance = 0): boolean {
  return x >= box.x0 - tolerance && x <= box.x1 - 1 + tolerance && y >= box.y0 - tolerance && y <= box.y1 - 1 + tolerance;
}

/** Options of {@link pointwiseLocalizationAP}. */
export interface PointwiseLocalizationOptions {
  /** Number of classes; default: 1 + the largest class index in boxes and predictions. */
  numClasses?: number;
  /**
   * Tolerance in pixels: a number for every image, or a function of the image.
   * Default: {@link scaledTolerance} of each image (18 px at VOC's 500 px).
   */
  tolerance?: number | ((image: AnnotatedImage) => number);
  /** AP definition, default `'voc2010'`. */
  method?: APMethod;
  /** Tie handling of equal scores, default `'group'` (see `TieHandling`). */
  ties?: TieHandling;
}

/** Result of {@link pointwiseLocalizationAP}. */
export interface PointwiseLocalizationResult {
  /** Localization AP of each class; NaN for a class present in no image. */
  perClass: number[];
  /** Mean over classes with at least one positive image; NaN if none. */
  mean: number;
  /** Number of images containing the class (non-difficult) per class. */
  numPositives: number[];
  /** Number of correct points (true positives) per class. */
  hits: number[];
}

/**
 * Pointwise localization AP (Oquab et al., CVPR 2015, "Is object localization
 * for free?"): measures classification and localization at once.
 *
 * For each class, every image gets (at most) one prediction: a point and the
 * class score. Predictions are ranked by score. A prediction is a true positive
 * if the image contains the class (a non-difficult box of it) **and** the point
 * lies inside one of that class's boxes enlarged by the tolerance (border
 * included); every other prediction is a false positive. The number of
 * positives is the number of images containing the class, so a positive image
 * without prediction is a miss. AP per class uses {@link averagePrecision}
 * (VOC 2010 by default); the mean is over classes with positives.
 *
 * Difficult objects: an image whose only boxes of the class are difficult is
 * ignored for that class (its prediction counts neither way). In an image that
 * has the class, a point on a difficult box of the class is still a hit — the
 * object is really there.
 *
 * Points are pixels and boxes PixelBoxes of the same image (see pointInBox); nothing is converted.
 * Throws on duplicate (image, class) predictions, out-of-range indices, NaN
 * scores or coordinates, and malformed boxes.
 *
 * @example
 * const images = [{ id: 'a', width: 500, height: 375, boxes: [{ cls: 0, x0: 10, y0: 10, x1: 101, y1: 101 }] }];
 * pointwiseLocalizationAP(images, [{ imageIndex: 0, cls: 0, x: 110, y: 50, score: 2.3 }]).mean; // 1 (within 18 px)
 */
export function pointwiseLocalizationAP(
  images: readonly AnnotatedImage[],
  predictions: readonly PointPrediction[],
  opts: PointwiseLocalizationOptions = {},
): PointwiseLocalizationResult {
  const where = 'pointwiseLocalizationAP';

  // Validate images and find the class count.
  let maxClass = -1;
  const tolerances = new Float64Array(images.length);
  for (let i = 0; i < images.length; i++) {
    const img = images[i]!;
    const name = `images[${i}] (id ${JSON.stringify(img?.id)})`;
    if (!img || !Array.isArray(img.boxes)) {
      throw new TypeError(`${where}: ${name} has no boxes array; expected {id, width, height, boxes: [...]}`);
    }
    for (let b = 0; b < img.boxes.length; b++) {
      const box = img.boxes[b]!;
      const bn = `${name}.boxes[${b}]`;
      checkInteger(where, `${bn}.cls`, box.cls, 0);
      for (const key of ['x0', 'y0', 'x1', 'y1'] as const) checkFinite(where, `${bn}.${key}`, box[key]);
      if (!(box.x0 < box.x1 && box.y0 < box.y1)) {
        throw new RangeError(
          `${where}: ${bn} is empty (x0=${box.x0}, x1=${box.x1}, y0=${box.y0}, y1=${box.y1}); ` +
            `boxes are 0-based half-open {x0, y0, x1, y1} with x0 < x1 and y0 < y1 (convert VOC bndboxes with fromVocBndbox)`,
        );
      }
      maxClass = Math.max(maxClass, box.cls);
    }
    let tol: number;
    if (typeof opts.tolerance === 'number') tol = opts.tolerance;
    else if (typeof opts.tolerance === 'function') tol = opts.tolerance(img);
    else tol = scaledTolerance(img.width, img.height);
    checkFinite(where, `tolerance of ${name}`, tol);
    if (tol < 0) throw new RangeError(`${where}: tolerance of ${name} is ${tol}; expected ≥ 0 pixels`);
    tolerances[i] = tol;
  }
  for (let p = 0; p < predictions.length; p++) {
    const pred = predictions[p]!;
    const pn = `predictions[${p}]`;
    checkInteger(where, `${pn}.imageIndex`, pred.imageIndex, 0);
    if (pred.imageIndex >= images.length) {
      throw new RangeError(`${where}: ${pn}.imageIndex = ${pred.imageIndex} but there are ${images.length} images`);
    }
    checkInteger(where, `${pn}.cls`, pred.cls, 0);
    checkFinite(where, `${pn}.x`, pred.x);
    checkFinite(where, `${pn}.y`, pred.y);
    if (typeof pred.score !== 'number' || Number.isNaN(pred.score)) {
      throw new (typeof pred.score === 'number' ? RangeError : TypeError)(`${where}: ${pn}.score is ${String(pred.score)}; scores must be numbers (NaN cannot be ranked)`);
    }
    maxClass = Math.max(maxClass, pred.cls);
  }
  let numClasses = maxClass + 1;
  if (opts.numClasses !== undefined) {
    checkInteger(where, 'numClasses', opts.numClasses, 0);
    if (maxClass >= opts.numClasses) {
      throw new RangeError(
        `${where}: class index ${maxClass} found in boxes or predictions but numClasses is ${opts.numClasses}`,
      );
    }
    numClasses = opts.numClasses;
  }

  // Per class: 1 = image has the class, 0 = only difficult instances (ignored), absent = negative.
  const presence: Map<number, 0 | 1>[] = Array.from({ length: numClasses }, () => new Map());
  for (let i = 0; i < images.length; i++) {
    for (const box of images[i]!.boxes) {
      const m = presence[box.cls]!;
      if (!box.difficult) m.set(i, 1);
      else if (!m.has(i)) m.set(i, 0);
    }
  }

  const scoresByClass: number[][] = Array.from({ length: numClasses }, () => []);
  const labelsByClass: number[][] = Array.from({ length: numClasses }, () => []);
  const seen = new Set<number>();
  for (let p = 0; p < predictions.length; p++) {
    const { imageIndex, cls, x, y, score } = predictions[p]!;
    const key = imageIndex * numClasses + cls;
    if (seen.has(key)) {
      throw new RangeError(
        `${where}: predictions[${p}] is a second prediction for image ${imageIndex} and class ${cls}; ` +
          `the metric takes exactly one point per image and class (keep the highest-scoring one)`,
      );
    }
    seen.add(key);
    const state = presence[cls]!.get(imageIndex);
    if (state === 0) continue; // only difficult instances: ignored for this class
    let hit = false;
    if (state === 1) {
      const tol = tolerances[imageIndex]!;
      hit = images[imageIndex]!.boxes.some((b) => b.cls === cls && pointInBox(x, y, b, tol));
    }
    scoresByClass[cls]!.push(score);
    labelsByClass[cls]!.push(hit ? 1 : -1);
  }

  const perClass: number[] = [];
  const numPositives: number[] = [];
  const hits: number[] = [];
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < numClasses; c++) {
    let pos = 0;
    for (const v of presence[c]!.values()) if (v === 1) pos++;
    const labels = labelsByClass[c]!;
    let tp = 0;
    for (const l of labels) if (l === 1) tp++;
    const ap =
      pos === 0
        ? Number.NaN
        : averagePrecision(scoresByClass[c]!, labels, { method: opts.method, ties: opts.ties, numPositives: pos });
    perClass.push(ap);
    numPositives.push(pos);
    hits.push(tp);
    if (!Number.isNaN(ap)) {
      sum += ap;
      counted++;
    }
  }
  return { perClass, mean: counted > 0 ? sum / counted : Number.NaN, numPositives, hits };
}
