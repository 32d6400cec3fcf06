// Choosing the background threshold(s) δ by segmentation mIoU on a validation split
// (Pinheiro & Collobert CVPR 2015 §4.2: "the optimal class confidence thresholds δ_k ... were
// chosen through a grid search").
//
// A pixel's label under the 'threshold' background depends only on its best class k*, its
// evidence v = y'_{k*} and δ_{k*} (label k* + 1 iff v > δ_{k*}). So one pass over the split
// fills a histogram H[ground truth][k*][bucket of v], and the confusion matrix — hence the mIoU —
// of ANY threshold vector on the grid δ = t / steps follows from cumulative sums without
// touching the images again: the global δ is an exhaustive search, the per-class δ_k a coordinate
// ascent over classes started from the best global δ.
import { expectInteger, outOfRange } from '../core/index.js';
import { segmentationMetrics, VOID_LABEL, type SegmentationMetrics } from '../eval/index.js';

/** Grid resolution of the search: thresholds 0, 0.01, …, 0.99. */
export const DEFAULT_THRESHOLD_STEPS = 100;

export interface ThresholdChoice {
  /** δ for every class (global search) or δ_k per class. */
  thresholds: number[];
  metrics: SegmentationMetrics;
}

/**
 * Accumulates validation images, then finds the thresholds that maximise mIoU (background +
 * classes, void ignored). Among equally good grid values it takes the middle of the first run
 * of best values (the most robust choice on a plateau).
 * @example
 * const search = new BackgroundThresholdSearch(10);
 * for (const img of val) search.add(img.evidence, img.height, img.width, img.mask);
 * const { thresholds, metrics } = search.bestGlobal();
 */
export class BackgroundThresholdSearch {
  readonly numClasses: number;
  /** Grid resolution: thresholds t / steps for t = 0 … steps − 1. */
  readonly steps: number;
  readonly ignoreIndex: number;
  images = 0;
  /** Counts [(C + 1) ground-truth labels] × [C best classes] × [steps + 1 buckets]; bucket u holds v ∈ ((u − 1)/steps, u/steps]. */
  private readonly hist: Float64Array;

  constructor(numClasses: number, opts: { steps?: number; ignoreIndex?: number } = {}) {
    expectInteger('numClasses of new BackgroundThresholdSearch()', numClasses, { min: 1, max: 254 });
    const steps = expectInteger('option steps of new BackgroundThresholdSearch()', opts.steps ?? DEFAULT_THRESHOLD_STEPS, { min: 2 });
    this.numClasses = numClasses;
    this.steps = steps;
    this.ignoreIndex = opts.ignoreIndex ?? VOID_LABEL;
    this.hist = new Float64Array((numClasses + 1) * numClasses * (steps + 1));
  }

  /**
   * Adds one image: class evidence [C, H, W] (see classEvidence.ts) and its ground-truth mask
   * [H·W] (0 background, k + 1 class k, `ignoreIndex` void).
   */
  add(evidence: Float32Array, height: number, width: number, groundTruth: ArrayLike<number>): this {
    const where = `BackgroundThresholdSearch.add() (image ${this.images})`;
    const C = this.numClasses;
    const n = height * width;
    const S = this.steps;
    if (evidence.length !== C * n) throw outOfRange(`the length of the evidence of ${where}`, `${C * n} values (${C} classes at ${width}×${height})`, evidence.length);
    if (groundTruth.length !== n) throw outOfRange(`the number of ground-truth pixels of ${where}`, `${n} (the image is ${width}×${height})`, groundTruth.length, 'mask and image sizes disagree');
    const local = new Float64Array(this.hist.length);
    for (let p = 0; p < n; p++) {
      const g = groundTruth[p]!;
      if (g === this.ignoreIndex) continue;
      if (!(Number.isInteger(g) && g >= 0 && g <= C)) throw outOfRange(`the ground truth at pixel (${p % width}, ${Math.floor(p / width)}) of ${where}`, `a label in [0, ${C}] or void ${this.ignoreIndex}`, g);
      let best = 0;
      let v = -1;
      for (let k = 0; k < C; k++) {
        const e = evidence[k * n + p]!;
        if (!(e >= 0 && e <= 1)) throw outOfRange(`the evidence of class ${k} at pixel (${p % width}, ${Math.floor(p / width)}) of ${where}`, 'a probability in [0, 1]', e);
        if (e > v) {
          v = e;
          best = k;
        }
      }
      // Bucket u such that v > t/S exactly when u > t (the comparison labelPixels makes).
      let u = Math.min(S, Math.max(0, Math.ceil(v * S)));
      while (u > 0 && !(v > (u - 1) / S)) u--;
      while (u < S && v > u / S) u++;
      local[(g * C + best) * (S + 1) + u]! += 1;
    }
    for (let j = 0; j < local.length; j++) this.hist[j]! += local[j]!;
    this.images++;
    return this;
  }

  /** The confusion matrix [(C + 1) × (C + 1)] (rows ground truth) of thresholds δ_k = steps_k / steps. */
  confusion(steps: ArrayLike<number>): Float64Array {
    const C = this.numClasses;
    const S = this.steps;
    if (steps.length !== C) throw outOfRange('the number of thresholds of BackgroundThresholdSearch.confusion()', `one per class (${C})`, steps.length);
    const K = C + 1;
    const m = new Float64Array(K * K);
    for (let g = 0; g <= C; g++) {
      for (let k = 0; k < C; k++) {
        const t = steps[k]!;
        const base = (g * C + k) * (S + 1);
        let above = 0;
        let below = 0;
        for (let u = 0; u <= S; u++) {
          if (u > t) above += this.hist[base + u]!;
          else below += this.hist[base + u]!;
        }
        m[g * K + k + 1]! += above;
        m[g * K]! += below;
      }
    }
    return m;
  }

  /** Metrics of given thresholds (rounded down to the grid). */
  evaluate(thresholds: number | ArrayLike<number>): SegmentationMetrics {
    const C = this.numClasses;
    const t = typeof thresholds === 'number' ? new Array<number>(C).fill(thresholds) : Array.from(thresholds);
    return segmentationMetrics(this.confusion(t.map((d) => this.toStep(d))), C + 1);
  }

  /** The best single δ for all classes. */
  bestGlobal(): ThresholdChoice {
    this.checkNotEmpty();
    const C = this.numClasses;
    const scores = Array.from({ length: this.steps }, (_, t) => this.mIoU(new Array<number>(C).fill(t)));
    const t = plateauMiddle(scores);
    return this.choice(new Array<number>(C).fill(t));
  }

  /** Per-class δ_k: coordinate ascent (one class at a time, exhaustive over the grid) from the best global δ, until a sweep changes nothing. */
  bestPerClass(maxSweeps = 20): ThresholdChoice {
    this.checkNotEmpty();
    const C = this.numClasses;
    const t = this.bestGlobal().thresholds.map((d) => this.toStep(d));
    let current = this.mIoU(t);
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      let changed = false;
      for (let k = 0; k < C; k++) {
        const keep = t[k]!;
        const scores = Array.from({ length: this.steps }, (_, s) => {
          t[k] = s;
          return this.mIoU(t);
        });
        const s = plateauMiddle(scores);
        if (scores[s]! > current + 1e-12) {
          t[k] = s;
          current = scores[s]!;
          changed = true;
        } else {
          t[k] = keep;
        }
      }
      if (!changed) break;
    }
    return this.choice(t);
  }

  private mIoU(steps: number[]): number {
    const m = segmentationMetrics(this.confusion(steps), this.numClasses + 1).meanIoU;
    return Number.isNaN(m) ? -1 : m;
  }

  private choice(steps: number[]): ThresholdChoice {
    return { thresholds: steps.map((s) => s / this.steps), metrics: segmentationMetrics(this.confusion(steps), this.numClasses + 1) };
  }

  private toStep(d: number): number {
    if (!(d >= 0 && d < 1)) throw outOfRange('a threshold of BackgroundThresholdSearch', 'a number in [0, 1)', d);
    return Math.min(this.steps - 1, Math.floor(d * this.steps + 1e-9));
  }

  private checkNotEmpty(): void {
    if (this.images === 0) throw new Error('BackgroundThresholdSearch: no image added; add validation images with their ground-truth masks first');
  }
}

/** Index of the middle of the first run of maximal values. */
function plateauMiddle(values: number[]): number {
  let best = -Infinity;
  for (const v of values) if (v > best) best = v;
  const first = values.findIndex((v) => v >= best - 1e-12);
  let last = first;
  while (last + 1 < values.length && values[last + 1]! >= best - 1e-12) last++;
  return Math.floor((first + last) / 2);
}
