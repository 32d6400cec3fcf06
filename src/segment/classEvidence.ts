// From class maps (scores) to per-pixel class evidence in [0, 1] with the image-level prior.
//
// The class maps are scores in the units of the pooled score the loss was trained on, not
// probabilities: spatial pooling averages map values (top-k⁺ + α·bottom-k⁻, max, mean, LSE),
// so one map cell is a "one-region image" scored on the loss's scale. Two normalizations:
// - 'peak' (default): max(z_c(x), 0) / max_x z_c(x) per class and image, the class-activation-map
//   convention of later WSSS work: scale-free, 1 at each map's peak; the image-level prior then
//   silences the classes the image does not contain. Measured on the embedded scenes' val split
//   it is the better choice for WILDCAT, WELDON and GAP (README, "Segmentation").
// - 'link': the training loss's link applied per pixel — σ(z_c(x)) for the logistic and AP
//   losses, softmax over classes for the softmax loss — keeping the calibration the loss gives the
//   scores (a region that alone would make the image positive gets > 0.5). Better for global max
//   pooling, whose maps are only trained at their peak, so rescaling by the peak means little.
// Pinheiro & Collobert (CVPR 2015 §3.2.1, eq. 7) then multiply each pixel's class probability by
// the image-level probability p(k|I) of the class (the image-level prior, ILP).

import { expectInteger, expectNumber, expectOneOf, outOfRange } from '../core/index.js';

/** How a class map becomes per-pixel evidence; see the module comment. */
export type MapNormalization = 'link' | 'peak';

/** The link of the training loss: sigmoid (logistic and AP losses) or softmax over classes. */
export type ScoreLink = 'sigmoid' | 'softmax';

/**
 * Image-level prior (Pinheiro & Collobert §3.2.1): 'weight' multiplies each class's pixel
 * evidence by the class's image-level probability (eq. 7); 'threshold' keeps the classes whose
 * image-level probability reaches `priorThreshold` and zeroes the others; 'none' uses the maps alone.
 */
export type ImagePrior = 'weight' | 'threshold' | 'none';

export interface EvidenceOptions {
  mapNorm: MapNormalization;
  link: ScoreLink;
  prior: ImagePrior;
  /** Image-level probability a class needs with prior 'threshold'. */
  priorThreshold: number;
}

/** Image-level class probabilities from pooled scores through the loss's link. */
export function imageProbabilities(scores: ArrayLike<number>, link: ScoreLink): Float32Array {
  const C = scores.length;
  const p = new Float32Array(C);
  for (let c = 0; c < C; c++) expectNumber(`the score of class ${c} in imageProbabilities()`, scores[c]!);
  if (link === 'softmax') {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, scores[c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(scores[c]! - max);
    for (let c = 0; c < C; c++) p[c] = Math.exp(scores[c]! - max) / sum;
  } else {
    for (let c = 0; c < C; c++) p[c] = sigmoid(scores[c]!);
  }
  return p;
}

/**
 * Per-pixel class evidence y'_c(x) ∈ [0, 1], [C, H, W] planar, from fused class maps `maps`
 * ([C, H, W], scores) and the fused image-level `scores` ([C]); see the module comment.
 * Throws, naming the class and pixel, on a non-finite map value, and on sizes that disagree.
 * @example const ev = classEvidence(r.maps, r.scores, r.height, r.width, { mapNorm: 'link', link: 'sigmoid', prior: 'weight', priorThreshold: 0.5 });
 */
export function classEvidence(maps: Float32Array, scores: ArrayLike<number>, height: number, width: number, opts: EvidenceOptions): Float32Array {
  const where = 'classEvidence()';
  const C = scores.length;
  expectInteger(`height of ${where}`, height, { min: 1 });
  expectInteger(`width of ${where}`, width, { min: 1 });
  expectInteger(`the number of class scores of ${where}`, C, { min: 1 });
  const n = height * width;
  if (maps.length !== C * n) {
    throw outOfRange(`the length of the class maps of ${where}`, `${C * n} values (${C} classes at ${width}×${height})`, maps.length, 'the maps and the image size disagree');
  }
  for (let j = 0; j < maps.length; j++) {
    if (!Number.isFinite(maps[j]!)) {
      const p = j % n;
      throw outOfRange(`class map ${Math.floor(j / n)} at pixel (${p % width}, ${Math.floor(p / width)}) in ${where}`, 'a finite score', maps[j], 'the network output is broken (NaN weights?)');
    }
  }
  expectOneOf(`option mapNorm of ${where}`, opts.mapNorm, ['link', 'peak'] as const);
  expectOneOf(`option prior of ${where}`, opts.prior, ['weight', 'threshold', 'none'] as const);
  expectNumber(`option priorThreshold of ${where}`, opts.priorThreshold, { min: 0, max: 1 });
  const out = new Float32Array(C * n);
  if (opts.mapNorm === 'peak') {
    for (let c = 0; c < C; c++) {
      let peak = 0;
      for (let p = 0; p < n; p++) peak = Math.max(peak, maps[c * n + p]!);
      if (peak > 0) for (let p = 0; p < n; p++) out[c * n + p] = Math.max(0, maps[c * n + p]!) / peak;
    }
  } else {
    if (opts.link === 'softmax') {
      for (let p = 0; p < n; p++) {
        let max = -Infinity;
        for (let c = 0; c < C; c++) max = Math.max(max, maps[c * n + p]!);
        let sum = 0;
        for (let c = 0; c < C; c++) sum += out[c * n + p] = Math.exp(maps[c * n + p]! - max);
        for (let c = 0; c < C; c++) out[c * n + p]! /= sum;
      }
    } else {
      for (let j = 0; j < out.length; j++) out[j] = sigmoid(maps[j]!);
    }
  }
  if (opts.prior === 'none') return out;
  const prob = imageProbabilities(scores, opts.link);
  for (let c = 0; c < C; c++) {
    const w = opts.prior === 'weight' ? prob[c]! : prob[c]! >= opts.priorThreshold ? 1 : 0;
    if (w === 1) continue;
    for (let p = 0; p < n; p++) out[c * n + p]! *= w;
  }
  return out;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
