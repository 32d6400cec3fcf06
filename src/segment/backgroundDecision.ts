// Background: the class maps have no background plane, so a pixel is background unless its best
// class evidence is strong enough.
//
// - 'threshold' (Pinheiro & Collobert CVPR 2015 §3.2.1, SP-bb rule without the objectness term):
//   label(x) = k* + 1 if y'_{k*}(x) > δ_{k*}, else 0, with k* = argmax_k y'_k(x) and δ one global
//   value or one per class (δ_k). As a distribution over background + classes (the CRF's unaries)
//   the background gets the weight δ_{k*(x)}: P(x) ∝ [δ_{k*}, y'_1, …, y'_C], whose argmax is the
//   same label.
// - 'power' (the background score of later WSSS work): bg(x) = (1 − max_k y'_k(x))^γ and
//   P(x) ∝ [bg, y'_1, …, y'_C]. As a hard decision this is a global threshold again — background
//   iff max_k y'_k ≤ t with (1 − t)^γ = t — so it differs from 'threshold' only in the soft
//   probabilities the CRF sees (background confidence grows smoothly as the evidence fades).
// Ties go to the background. A pixel with no evidence at all (every weight 0) is background with
// probability 1.

import { expectInteger, expectNumber, expectOneOf, outOfRange } from '../core/index.js';

export type BackgroundModel =
  | { kind: 'threshold'; /** δ: one value, or one per class (δ_k), each in [0, 1). */ thresholds: number | ArrayLike<number> }
  | { kind: 'power'; /** γ > 0. */ gamma: number };

export interface PixelLabels {
  /** [H·W] row-major: 0 background, k + 1 for class k. */
  labels: Uint8Array;
  /** [(C + 1), H, W] planar probabilities (background first), summing to 1 at each pixel. */
  probabilities: Float32Array;
}

/**
 * Labels and background + class probabilities from class evidence `evidence` ([C, H, W] planar,
 * values in [0, 1], see classEvidence.ts). Throws on NaN evidence, sizes that disagree and bad
 * thresholds, naming the value.
 * @example const { labels, probabilities } = labelPixels(ev, 10, 192, 192, { kind: 'threshold', thresholds: 0.4 });
 */
export function labelPixels(evidence: Float32Array, numClasses: number, height: number, width: number, background: BackgroundModel): PixelLabels {
  const where = 'labelPixels()';
  const C = expectInteger(`numClasses of ${where} (labels are bytes, 255 is void)`, numClasses, { min: 1, max: 254 });
  expectInteger(`height of ${where}`, height, { min: 1 });
  expectInteger(`width of ${where}`, width, { min: 1 });
  const n = height * width;
  if (evidence.length !== C * n) {
    throw outOfRange(`the length of the evidence of ${where}`, `${C * n} values (${C} classes at ${width}×${height})`, evidence.length, 'the maps and the image size disagree');
  }
  expectOneOf(`the kind of the background of ${where}`, background.kind, ['threshold', 'power'] as const);
  const delta = new Float64Array(C);
  let gamma = 0;
  if (background.kind === 'threshold') {
    const t = background.thresholds;
    if (typeof t === 'number') delta.fill(t);
    else {
      if (t.length !== C) throw outOfRange(`the number of per-class background thresholds of ${where}`, `one per class (${C})`, t.length);
      for (let k = 0; k < C; k++) delta[k] = t[k]!;
    }
    for (let k = 0; k < C; k++) {
      if (!(delta[k]! >= 0 && delta[k]! < 1)) throw outOfRange(`the background threshold of class ${k} in ${where}`, 'a number in [0, 1)', delta[k]);
    }
  } else {
    gamma = expectNumber(`gamma of the power background of ${where}`, background.gamma, { above: 0 });
  }
  const labels = new Uint8Array(n);
  const probabilities = new Float32Array((C + 1) * n);
  for (let p = 0; p < n; p++) {
    let best = 0;
    let v = -1;
    let sum = 0;
    for (let k = 0; k < C; k++) {
      const e = evidence[k * n + p]!;
      if (!(e >= 0 && e <= 1)) throw outOfRange(`the evidence of class ${k} at pixel (${p % width}, ${Math.floor(p / width)}) in ${where}`, 'a probability in [0, 1]', e);
      sum += e;
      if (e > v) {
        v = e;
        best = k;
      }
    }
    const bg = background.kind === 'threshold' ? delta[best]! : Math.pow(1 - v, gamma);
    labels[p] = v > bg ? best + 1 : 0;
    const total = sum + bg;
    if (total > 0) {
      probabilities[p] = bg / total;
      for (let k = 0; k < C; k++) probabilities[(k + 1) * n + p] = evidence[k * n + p]! / total;
    } else {
      probabilities[p] = 1;
    }
  }
  return { labels, probabilities };
}

/** The global threshold t at which the 'power' background makes the same hard decision: (1 − t)^γ = t. */
export function powerBackgroundThreshold(gamma: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const t = (lo + hi) / 2;
    if (Math.pow(1 - t, gamma) > t) lo = t;
    else hi = t;
  }
  return (lo + hi) / 2;
}

/** The γ whose 'power' background decides like the global threshold t ∈ (0, 1): γ = ln t / ln(1 − t). */
export function powerGammaForThreshold(t: number): number {
  if (!(t > 0 && t < 1)) throw outOfRange('the threshold of powerGammaForThreshold()', 'a number in (0, 1)', t);
  return Math.log(t) / Math.log(1 - t);
}
