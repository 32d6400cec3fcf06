// Segmentation with a trained run: the stages its settings resolve to (the run's loss link and
// tuned thresholds), and the one-pass evaluation of a VOC split (classification, pointwise
// localization and segmentation from the same fused maps).
import type { AnnotatedDataset } from './datasetSpec.js';
import { DataFileError } from '../core/index.js';
import {
  BackgroundThresholdSearch, DEFAULT_BACKGROUND_THRESHOLD, SMOOTHINGS, SplitSegmentation, classEvidence, evidenceKey, readThresholdTunings,
  resolveSegmentationSettings, resolveStages, saveThresholdTuning, groundTruthMasks,
  type ResolvedBackground, type ScoreLink, type SegmentationOverrides, type SegmentationSettings, type SegmentationStages, type Smoothing, type ThresholdTuning,
} from '../segment/index.js';
import type { SegmentationMetrics } from '../eval/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { evaluatePredictions, type WslMetrics } from './evaluatePredictions.js';
import { predictImages, type Predictions } from './predict.js';
import { DEFAULT_CHECKPOINT, loadRun } from './loadRun.js';
import { datasetReadOptions, openSplitForInference, type DatasetReadOptions } from './datasetSpec.js';
import type { WslLoss, WslTrainConfig } from './wslConfig.js';

/** The link that turns the loss's scores into probabilities: softmax for the multi-class loss, sigmoid otherwise (the AP loss's scores only rank; the tuned threshold absorbs their scale). */
export function scoreLinkOf(loss: WslLoss): ScoreLink {
  return loss === 'softmax' ? 'softmax' : 'sigmoid';
}

/** The complete segmentation settings for a run: `overrides`, then the run's recorded test scales, then the defaults. */
export function runSegmentationSettings(config: WslTrainConfig, overrides: SegmentationOverrides = {}): SegmentationSettings {
  return resolveSegmentationSettings(overrides, config.testScales);
}

/** The segmentation stages of run folder `run` for `settings` (its tuned thresholds read from RUN/segmentation.json). */
export function runSegmentationStages(
  run: string, config: WslTrainConfig, settings: SegmentationSettings, checkpoint: 'best' | 'last', smoothings: readonly Smoothing[] = [settings.smoothing],
): { stages: SegmentationStages; background: ResolvedBackground } {
  return resolveStages(settings, { link: scoreLinkOf(config.loss), tunings: readThresholdTunings(run), checkpoint, numClasses: config.model.numClasses }, smoothings);
}

/**
 * Predicts a VOC split once (at the settings' scales) and scores classification, pointwise
 * localization and — on the images that have a SegmentationClass mask — segmentation with every
 * smoothing. `metrics.segmentation` is absent when no image has a mask.
 */
export async function evaluateSplit(
  net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset,
  opts: { run: string; checkpoint: 'best' | 'last'; settings: SegmentationSettings; batchSize?: number; onProgress?: (done: number, total: number) => void },
): Promise<{ predictions: Predictions; metrics: WslMetrics }> {
  const { stages, background } = runSegmentationStages(opts.run, config, opts.settings, opts.checkpoint, SMOOTHINGS);
  const seg = new SplitSegmentation(ds, stages, { groundTruth: groundTruthMasks(ds) });
  const pred = await predictImages(net, ds, {
    size: config.imageSize,
    batchSize: opts.batchSize,
    multiScale: opts.settings,
    imageSize: (i) => ds.imageSize(i),
    onImage: (r) => seg.submit(r),
    onProgress: opts.onProgress,
  });
  await seg.finish();
  const metrics = await evaluatePredictions(pred, ds);
  const s = seg.metrics();
  if (s.imagesWithMasks > 0) metrics.segmentation = { ...s, background: background.source };
  return { predictions: pred, metrics };
}

/** A tuning with the metrics behind it (per-label IoU of each choice, for a table). */
export interface TuningResult {
  tuning: ThresholdTuning;
  untuned: SegmentationMetrics;
  global: SegmentationMetrics;
  perClass: SegmentationMetrics;
}

/**
 * Chooses the background thresholds of `settings` on a VOC split with masks by mIoU (the best
 * global δ, then per-class δ_k; see segment/backgroundThresholdSearch.ts). The caller stores the
 * tuning (saveThresholdTuning). Throws when no image of the split has a mask.
 */
export async function tuneSegmentationThresholds(
  net: WildcatNet, config: WslTrainConfig, ds: AnnotatedDataset,
  opts: { data: string; split: string; checkpoint: 'best' | 'last'; settings: SegmentationSettings; steps?: number; onProgress?: (done: number, total: number) => void },
): Promise<TuningResult> {
  const { settings } = opts;
  const groundTruth = groundTruthMasks(ds);
  const evidence = { mapNorm: settings.mapNorm, link: scoreLinkOf(config.loss), prior: settings.prior, priorThreshold: settings.priorThreshold };
  const search = new BackgroundThresholdSearch(net.numClasses, { steps: opts.steps });
  await predictImages(net, ds, {
    size: config.imageSize,
    multiScale: settings,
    imageSize: (i) => ds.imageSize(i),
    onImage: async (r) => {
      const gt = await groundTruth(r.index);
      if (!gt) return;
      if (gt.width !== r.width || gt.height !== r.height) {
        throw new DataFileError('segmentationPath' in ds ? ds.segmentationPath(r.index) : `the mask of image ${ds.ids[r.index]}`, `the mask is ${gt.width}×${gt.height} but its image is ${r.width}×${r.height}; mask and image sizes must agree`);
      }
      search.add(classEvidence(r.maps, r.scores, r.height, r.width, evidence), r.height, r.width, gt.data);
    },
    onProgress: opts.onProgress,
  });
  if (search.images === 0) throw new Error(`${opts.data} (${opts.split}): no image has a SegmentationClass mask; tune on a split with masks`);
  const global = search.bestGlobal();
  const perClass = search.bestPerClass();
  const untuned = search.evaluate(DEFAULT_BACKGROUND_THRESHOLD);
  return {
    tuning: {
      key: evidenceKey(settings, opts.checkpoint), data: opts.data, split: opts.split, images: search.images, classNames: [...ds.classNames],
      global: { threshold: global.thresholds[0]!, mIoU: global.metrics.meanIoU },
      perClass: { thresholds: perClass.thresholds, mIoU: perClass.metrics.meanIoU },
      untuned: { threshold: DEFAULT_BACKGROUND_THRESHOLD, mIoU: untuned.meanIoU },
      date: new Date().toISOString(),
    },
    untuned,
    global: global.metrics,
    perClass: perClass.metrics,
  };
}

/**
 * Tunes the background thresholds of run folder `run` on a split (default: its validation split
 * of its own data) and stores them in RUN/segmentation.json (atomically), beside the tunings of
 * other settings. Returns the tuning and its metrics.
 */
export async function tuneRunThresholds(
  run: string,
  opts: { data?: string; split?: string; checkpoint?: 'best' | 'last'; settings?: SegmentationOverrides; steps?: number; read?: DatasetReadOptions; onProgress?: (done: number, total: number) => void },
): Promise<TuningResult> {
  const checkpoint = opts.checkpoint ?? DEFAULT_CHECKPOINT;
  const { net, config } = loadRun(run, checkpoint);
  let result: TuningResult;
  try {
    const data = opts.data ?? config.data;
    if (!data) throw new Error(`${run}: the run's config names no dataset; pass one (--data voc:DIR)`);
    const split = opts.split ?? config.valSplit;
    const ds = await openSplitForInference(data, split, config.classNames, datasetReadOptions(config, opts.read));
    result = await tuneSegmentationThresholds(net, config, ds, { data, split, checkpoint, settings: runSegmentationSettings(config, opts.settings), steps: opts.steps, onProgress: opts.onProgress });
  } finally {
    net.dispose();
  }
  saveThresholdTuning(run, result.tuning);
  return result;
}
