// Scores predictions of a WSL network against a VOC-layout split: classification AP (image
// labels, difficult ignored) and pointwise localization AP (Oquab et al. 2015, boxes). COCO
// splits score alike (crowd regions count as difficult boxes).
import { meanAveragePrecision, pointwiseLocalizationAP, type AnnotatedImage, type PointPrediction } from '../eval/index.js';
import type { SplitSegmentationMetrics } from '../segment/index.js';
import type { AnnotatedDataset } from './datasetSpec.js';
import type { Predictions } from './predict.js';

export interface WslMetrics {
  classNames: readonly string[];
  /** Classification mAP, VOC 2010+ AP. */
  mAP: number;
  /** Classification mAP, VOC 2007 11-point AP. */
  mAP07: number;
  perClassAP: number[];
  /** Pointwise localization mAP (NaN when not computed). */
  locMAP: number;
  perClassLocAP: number[];
  images: number;
  /** Segmentation mIoU per smoothing on the images with a mask, and where the background threshold came from (see runSegmentation.ts). */
  segmentation?: SplitSegmentationMetrics & { background: string };
}

/** Classification metrics only (validation during training). */
export function classificationMetrics(pred: Predictions, labels: Int8Array): { mAP: number; mAP07: number; perClassAP: number[] } {
  const shape: [number, number] = [pred.ids.length, pred.classNames.length];
  const r10 = meanAveragePrecision({ data: pred.scores, shape }, { data: labels, shape }, { method: 'voc2010' });
  const r07 = meanAveragePrecision({ data: pred.scores, shape }, { data: labels, shape }, { method: 'voc2007' });
  return { mAP: r10.mean, mAP07: r07.mean, perClassAP: r10.perClass };
}

/** Ground-truth boxes of a split as the localization metric wants them: class indices and the dataset's PixelBoxes. */
export async function annotatedImages(ds: AnnotatedDataset): Promise<AnnotatedImage[]> {
  const anns = await ds.annotations();
  return anns.map((a, i) => ({
    id: ds.ids[i]!,
    width: a.width,
    height: a.height,
    boxes: a.objects
      .filter((o) => ds.classIndexOf(o.name) >= 0)
      .map((o) => ({ cls: ds.classIndexOf(o.name), ...o.box, difficult: o.difficult })),
  }));
}

/** Full evaluation: classification mAP and pointwise localization mAP. */
export async function evaluatePredictions(pred: Predictions, ds: AnnotatedDataset): Promise<WslMetrics> {
  const C = pred.classNames.length;
  const cls = classificationMetrics(pred, ds.labels);
  let locMAP = NaN;
  let perClassLocAP: number[] = new Array(C).fill(NaN);
  if (pred.points.length > 0) {
    const images = await annotatedImages(ds);
    const predictions: PointPrediction[] = [];
    for (let i = 0; i < pred.ids.length; i++) {
      for (let c = 0; c < C; c++) {
        predictions.push({ imageIndex: i, cls: c, x: pred.points[(i * C + c) * 2]!, y: pred.points[(i * C + c) * 2 + 1]!, score: pred.scores[i * C + c]! });
      }
    }
    const loc = pointwiseLocalizationAP(images, predictions, { numClasses: C });
    locMAP = loc.mean;
    perClassLocAP = loc.perClass;
  }
  return { classNames: pred.classNames, mAP: cls.mAP, mAP07: cls.mAP07, perClassAP: cls.perClassAP, locMAP, perClassLocAP, images: pred.ids.length };
}
