/**
 * Semantic segmentation from a network trained with image-level labels only: class maps at the
 * image's resolution from several scales, the image-level prior and background of Pinheiro &
 * Collobert (CVPR 2015 §3.2.1), SLIC superpixel smoothing (their SP-spxl), background thresholds
 * tuned by validation mIoU, the fully connected CRF of Krähenbühl & Koltun (NIPS 2011), label
 * maps written as VOC palette PNGs.
 */
export { OQUAB_TEST_SCALES, TEST_SCALE_PRESETS, parseTestScales, scaledSide } from './testScales.js';
export {
  DEFAULT_MULTI_SCALE, imageListInputs, INFERENCE_BATCH_SIZE, multiScaleClassMaps,
  type FuseMode, type ImageClassMaps, type MultiScaleOptions, type MultiScaleRunOptions, type ScaledInputs,
} from './multiScaleClassMaps.js';
export { classEvidence, imageProbabilities, type EvidenceOptions, type ImagePrior, type MapNormalization, type ScoreLink } from './classEvidence.js';
export { labelPixels, powerBackgroundThreshold, powerGammaForThreshold, type BackgroundModel, type PixelLabels } from './backgroundDecision.js';
export { BackgroundThresholdSearch, DEFAULT_THRESHOLD_STEPS, type ThresholdChoice } from './backgroundThresholdSearch.js';
export { checkRawImage, rawImageInput, type RawImage } from './rawImage.js';
export { DEFAULT_SLIC, slic, type SlicOptions, type Superpixels } from './slic.js';
export { superpixelVote } from './superpixelVote.js';
export {
  DEFAULT_BACKGROUND_THRESHOLD, DEFAULT_SEGMENTATION, SMOOTHINGS, describeEvidenceKey, evidenceKey, resolveSegmentationSettings, sameEvidenceKey,
  type EvidenceKey, type SegmentationOverrides, type SegmentationSettings, type Smoothing, type ThresholdSetting,
} from './segmentationSettings.js';
export {
  SEGMENTATION_FILE, readThresholdTunings, resolveBackground, saveThresholdTuning,
  type ResolvedBackground, type ThresholdTuning,
} from './tunedThresholds.js';
export { resolveStages, segmentClassMaps, type ImageSegmentation, type SegmentationStages } from './segmentClassMaps.js';
export { MASK_CLASSES_FILE, encodeSegmentationPng, writeMaskClasses, writeSegmentationMask } from './segmentationMasks.js';
export { segment, type Segmentation, type SegmentOptions } from './segment.js';
export { SplitSegmentation, groundTruthMasks, type MaskedDataset, type SplitSegmentationMetrics } from './splitSegmentation.js';
export * from './denseCrf.js';
export * from './denseCrfBruteForce.js';
