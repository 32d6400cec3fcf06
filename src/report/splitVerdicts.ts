// What went right and wrong on every image of a predicted split: ground-truth objects, whether
// each class map's peak hit a box of its class, probabilities and the image verdicts. Picks the
// report's gallery; anything that sorts or filters images by outcome can share it.
import { pointInBox, scaledTolerance } from '../eval/index.js';
import type { AnnotatedDataset } from '../train/datasetSpec.js';
import type { Predictions } from '../train/predict.js';
import type { WslLoss } from '../train/wslConfig.js';
import type { CardObject } from './galleryCard.js';
import { imageVerdict, type ImageVerdict } from './imageVerdict.js';
import { scoreProbabilities } from './scoreProbabilities.js';

export interface SplitVerdicts {
  /** Ground-truth objects of each image (class -1 for names outside the class list). */
  objects: CardObject[][];
  /** Per image and class: the class map's peak fell in a box of the class (pointwise localization, with its tolerance). */
  peakHits: boolean[][];
  /** Per image: sigmoid / softmax of the scores as the loss defines them (undefined for the AP loss). */
  probs: (Float64Array | undefined)[];
  verdicts: ImageVerdict[];
}

/**
 * Judges every image of `pred` (scores and peaks of `ds`, in the same order) against the
 * dataset's labels and boxes, with the hit test and tolerance of the pointwise localization
 * metric (pointInBox, scaledTolerance), so a gallery "hit" is a metric hit.
 */
export async function judgeSplit(pred: Predictions, ds: AnnotatedDataset, loss: WslLoss): Promise<SplitVerdicts> {
  const C = ds.classNames.length;
  const n = ds.size;
  if (pred.ids.length !== n || pred.points.length !== n * C * 2) {
    throw new RangeError(`judgeSplit: predictions of ${pred.ids.length} images${pred.points.length === 0 ? ' without peaks' : ''} for a split of ${n}; predict the split with points`);
  }
  const out: SplitVerdicts = { objects: [], peakHits: [], probs: [], verdicts: [] };
  for (let i = 0; i < n; i++) {
    const a = await ds.annotation(i);
    const objs = a.objects.map((ob) => ({ cls: ds.classIndexOf(ob.name), name: ob.name, box: ob.box, difficult: ob.difficult }));
    const tol = scaledTolerance(pred.sizes[2 * i]!, pred.sizes[2 * i + 1]!);
    const hit = Array.from({ length: C }, (_, c) => {
      const x = pred.points[(i * C + c) * 2]!;
      const y = pred.points[(i * C + c) * 2 + 1]!;
      return objs.some((ob) => ob.cls === c && pointInBox(x, y, ob.box, tol));
    });
    const scores = pred.scores.subarray(i * C, (i + 1) * C);
    const p = scoreProbabilities(scores, loss);
    out.objects.push(objs);
    out.peakHits.push(hit);
    out.probs.push(p);
    out.verdicts.push(imageVerdict({ scores, probs: p, labels: ds.labels.subarray(i * C, (i + 1) * C), peakHits: hit }));
  }
  return out;
}
