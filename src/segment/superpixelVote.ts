// SP-spxl smoothing (Pinheiro & Collobert CVPR 2015 §3.2.1 (i)): "prediction smoothing is
// achieved by simply picking the label that appears the most in each superpixel".
import { outOfRange } from '../core/index.js';
import type { Superpixels } from './slic.js';

/**
 * Every pixel takes the most frequent label of its superpixel (ties: the smallest label, so
 * background wins a tie). `labels` and `superpixels.labels` are [H·W] maps of the same image.
 * @example const smoothed = superpixelVote(labels, slic(image));
 */
export function superpixelVote(labels: Uint8Array, superpixels: Superpixels): Uint8Array {
  const { labels: sp, count } = superpixels;
  if (sp.length !== labels.length) {
    throw outOfRange('the number of pixels of the label map of superpixelVote()', `the superpixels' ${sp.length}`, labels.length, 'they must come from the same image');
  }
  const votes = new Int32Array(count * 256);
  for (let p = 0; p < sp.length; p++) {
    const s = sp[p]!;
    if (!(s >= 0 && s < count)) throw outOfRange(`the superpixel of pixel ${p} in superpixelVote()`, `an index in [0, ${count - 1}]`, s);
    votes[s * 256 + labels[p]!]! += 1;
  }
  const winner = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    let best = 0;
    for (let l = 1; l < 256; l++) if (votes[s * 256 + l]! > votes[s * 256 + best]!) best = l;
    winner[s] = best;
  }
  const out = new Uint8Array(labels.length);
  for (let p = 0; p < sp.length; p++) out[p] = winner[sp[p]!]!;
  return out;
}
