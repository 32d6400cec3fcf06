// Segmentation with a trained run: the stages its settings resolve to (the run's loss link and
// tuned thresholds), and the one-pass evaluation of a VOC split (classification, pointwise
// localization and segmentation from the same fused maps).
import type { VocDataset } from '../data/index.js';
import {
  SMOOTHINGS, SplitSegmentation, readThresholdTunings, resolveStages, vocGroundTruth,
  type ResolvedBackground, type ScoreLink, type SegmentationSettings, type SegmentationStages, type Smoothing,
} from '../segment/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { evaluatePredictions, type WslMetrics } from './evaluatePredictions.js';
import { predictImages } from './predict.js';
import type { WslLoss, WslTrainConfig } from './wslConfig.js';

/** The link that turns the loss's scores into probabilities: softmax for the multi-class loss, sigmoid otherwise (the AP loss's scores only rank; the tuned threshold absorbs their scale). */
export function scoreLinkOf(loss: WslLoss): ScoreLink {
  return loss === 'softmax' ? 'softmax' : 'sigmoid';
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
  net: WildcatNet, config: WslTrainConfig, ds: VocDataset,
  opts: { run: string; checkpoint: 'best' | 'last'; settings: SegmentationSettings; onProgress?: (done: number, total: number) => void },
): Promise<WslMetrics> {
  const { stages, background } = runSegmentationStages(opts.run, config, opts.settings, opts.checkpoint, SMOOTHINGS);
  const seg = new SplitSegmentation(ds, stages, { groundTruth: vocGroundTruth(ds) });
  const pred = await predictImages(net, ds, {
    size: config.imageSize,
    multiScale: opts.settings,
    imageSize: (i) => ds.imageSize(i),
    onImage: async (r) => {
      await seg.add(r);
    },
    onProgress: opts.onProgress,
  });
  const metrics = await evaluatePredictions(pred, ds);
  const s = seg.metrics();
  if (s.imagesWithMasks > 0) metrics.segmentation = { ...s, background: background.source };
  return metrics;
}
