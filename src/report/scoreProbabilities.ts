// Class probabilities from pooled scores, as the training loss defines them.
import type { WslLoss } from '../train/wslConfig.js';

/**
 * Sigmoid of each score for the multi-label logistic loss, softmax over the classes for the
 * multi-class loss, and undefined for the AP ranking loss (its scores only rank).
 */
export function scoreProbabilities(scores: ArrayLike<number>, loss: WslLoss): Float64Array | undefined {
  const C = scores.length;
  if (loss === 'ap') return undefined;
  const p = new Float64Array(C);
  if (loss === 'softmax') {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, scores[c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += p[c] = Math.exp(scores[c]! - max);
    for (let c = 0; c < C; c++) p[c]! /= sum;
    return p;
  }
  for (let c = 0; c < C; c++) p[c] = 1 / (1 + Math.exp(-scores[c]!));
  return p;
}
