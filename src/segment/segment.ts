// The one-call API: a trained network and an image in, a label map and per-class
// probabilities out.
import type { WildcatNet } from '../wsl/wildcatNet.js';
import type { ScoreLink } from './classEvidence.js';
import { multiScaleClassMaps, type ScaledInputs } from './multiScaleClassMaps.js';
import { checkRawImage, rawImageInput, type RawImage } from './rawImage.js';
import { resolveStages, segmentClassMaps } from './segmentClassMaps.js';
import { resolveSegmentationSettings, type SegmentationOverrides } from './segmentationSettings.js';
import type { ThresholdTuning } from './tunedThresholds.js';

export interface SegmentOptions extends SegmentationOverrides {
  /** The network input side at scale 1 (the run's `imageSize`). */
  size: number;
  /** The link of the loss the network was trained with: 'sigmoid' (logistic, AP; default) or 'softmax'. */
  link?: ScoreLink;
  /** The run's tuned thresholds (`readThresholdTunings(run)`), used by threshold 'tuned' / 'tuned-global'; without a match the default δ applies. */
  tunings?: readonly ThresholdTuning[];
  /** The checkpoint the network was loaded from (tunings are per checkpoint). Default 'best'. */
  checkpoint?: 'best' | 'last';
}

export interface Segmentation {
  width: number;
  height: number;
  /** [H·W] row-major: 0 background, k + 1 for class k. */
  labels: Uint8Array;
  /** [(C + 1), H, W] background + class probabilities before smoothing, summing to 1 per pixel. */
  probabilities: Float32Array;
  /** [C] fused image-level scores (before sigmoid / softmax). */
  scores: Float32Array;
  /** Where the background threshold came from. */
  background: string;
}

/**
 * Segments one image with a trained WSL network: multi-scale class maps at the image's
 * resolution, image-level prior, background, smoothing (see the README's segmentation section).
 * @example
 * const { net, config } = loadRun('runs/a');
 * const seg = await segment(net, { data: rgb, width: 500, height: 375, channels: 3 },
 *   { size: config.imageSize, scales: [0.5, 1, 1.5, 2], flip: true, tunings: readThresholdTunings('runs/a') });
 * seg.labels; // Uint8Array 500·375
 */
export async function segment(net: WildcatNet, image: RawImage, options: SegmentOptions): Promise<Segmentation> {
  checkRawImage('segment()', image);
  const { size: _size, link: _link, tunings: _tunings, checkpoint: _checkpoint, ...overrides } = options;
  const settings = resolveSegmentationSettings(overrides);
  const inputs: ScaledInputs = {
    length: 1,
    imageSize: async () => ({ width: image.width, height: image.height }),
    load: (_, side) => rawImageInput(image, side),
  };
  const { stages, background } = resolveStages(settings, {
    link: options.link ?? 'sigmoid',
    tunings: options.tunings ?? [],
    checkpoint: options.checkpoint ?? 'best',
    numClasses: net.numClasses,
  });
  for await (const r of multiScaleClassMaps(net, inputs, { size: options.size, scales: settings.scales, flip: settings.flip, fuse: settings.fuse, batchSize: 1 })) {
    const seg = await segmentClassMaps(r, image, stages);
    return { width: r.width, height: r.height, labels: seg.labels[settings.smoothing]!, probabilities: seg.probabilities, scores: r.scores, background: background.source };
  }
  throw new Error('segment: the network produced no output');
}
