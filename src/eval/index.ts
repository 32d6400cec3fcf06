/** Evaluation metrics: AP/mAP, accuracy, pointwise localization AP, segmentation IoU, boxes from heatmaps. */
export type { LabelFormat } from './validate.js';
export { matrixView, type NumberMatrix, type MatrixView } from './matrix.js';
export {
  precisionRecallCurve,
  type PrecisionRecallCurve,
  type RankingOptions,
  type CurveOptions,
  type TieHandling,
} from './precisionRecall.js';
export {
  averagePrecision,
  averagePrecisionFromCurve,
  type APMethod,
  type AveragePrecisionOptions,
} from './averagePrecision.js';
export {
  meanAveragePrecision,
  type MeanAveragePrecisionOptions,
  type MeanAveragePrecisionResult,
} from './meanAveragePrecision.js';
export { accuracy, topKAccuracy } from './accuracy.js';
export {
  pointwiseLocalizationAP,
  scaledTolerance,
  pointInBox,
  POINTWISE_TOLERANCE_PIXELS,
  POINTWISE_REFERENCE_SIZE,
  type GroundTruthBox,
  type AnnotatedImage,
  type PointPrediction,
  type PointwiseLocalizationOptions,
  type PointwiseLocalizationResult,
} from './pointwiseLocalizationAP.js';
export {
  SegmentationConfusion,
  segmentationIoU,
  segmentationMetrics,
  VOID_LABEL,
  type SegmentationMetrics,
} from './segmentationIoU.js';
export {
  boxesFromHeatmap,
  type BoxesFromHeatmapOptions,
  type HeatmapBox,
} from './boxesFromHeatmap.js';
