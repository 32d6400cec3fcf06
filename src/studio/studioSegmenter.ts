// Segmentation as the studio serves it: an image (upload bytes or a dataset file) → a label map
// with the run's segmentation settings (its recorded test scales, its tuned thresholds), through
// the same pipeline as `wildcat predict`'s masks: the network inputs decoded from the file's bytes
// at every scale as the data loader does, the maps fused at the image's size, then evidence,
// background and smoothing (segment/segmentClassMaps).
import { decodeImageBytes, loadImageBytes } from '../data/index.js';
import { imageMeanIoU } from '../report/segmentationOverlay.js';
import {
  describeEvidenceKey, encodeSegmentationPng, evidenceKey, multiScaleClassMaps, segmentClassMaps,
  type ImageClassMaps, type ScaledInputs, type SegmentationOverrides, type SegmentationSettings, type SegmentationStages,
} from '../segment/index.js';
import { runSegmentationSettings, runSegmentationStages } from '../train/runSegmentation.js';
import type { ImageSegmentationAnswer, SegmentationInfo } from './apiTypes.js';
import type { StudioModel } from './studioModel.js';

/** A label map with what the answer reports about it (timings are added by the server). */
export type ImageSegmentation = Omit<ImageSegmentationAnswer, 'waitMs' | 'segmentMs'>;

export class StudioSegmenter {
  readonly info: SegmentationInfo;
  readonly settings: SegmentationSettings;
  readonly #stages: SegmentationStages;

  /**
   * The settings of run folder `run` (`overrides` as `wildcat predict`'s flags give them, then the
   * run's test scales, then the defaults) and its tuned thresholds for them. `maxSide`: larger
   * images are segmented reduced to fit maxSide × maxSide (the maps, probabilities and the CRF
   * all live at the label map's size).
   */
  constructor(
    private readonly model: StudioModel,
    run: string,
    checkpoint: 'best' | 'last',
    overrides: SegmentationOverrides,
    maxSide: number,
  ) {
    this.settings = runSegmentationSettings(model.config, overrides);
    const { stages, background } = runSegmentationStages(run, model.config, this.settings, checkpoint);
    this.#stages = stages;
    this.info = {
      settings: describeEvidenceKey(evidenceKey(this.settings, checkpoint)),
      smoothing: this.settings.smoothing,
      background: background.source,
      labelNames: ['background', ...model.classNames],
      maxSide,
    };
  }

  /**
   * Segments the image file `bytes` (already checked). `source` names it in errors and the answer;
   * `maxPixels` is the decoder's pixel limit; `groundTruth`, when given, is scored (mean IoU).
   */
  async segment(bytes: Buffer, source: string, opts: { maxPixels?: number; groundTruth?: { width: number; height: number; data: Uint8Array } | null } = {}): Promise<ImageSegmentation> {
    const limits = opts.maxPixels === undefined ? undefined : { imagePixels: opts.maxPixels };
    // At the image's size, or reduced to fit maxSide (an image within it is not resampled).
    const pixels = await decodeImageBytes(bytes, source, { limits, maxSide: this.info.maxSide });
    let original = { width: pixels.width, height: pixels.height };
    const inputs: ScaledInputs = {
      length: 1,
      imageSize: async () => ({ width: pixels.width, height: pixels.height }),
      load: async (_, side) => {
        const img = await loadImageBytes(bytes, { size: side, limits }, source);
        original = { width: img.originalWidth, height: img.originalHeight };
        return img.data;
      },
    };
    const { scales, flip, fuse } = this.settings;
    let maps: ImageClassMaps | undefined;
    for await (const r of multiScaleClassMaps(this.model.net, inputs, { size: this.model.config.imageSize, scales, flip, fuse, batchSize: 1 })) maps = r;
    if (!maps) throw new Error(`segmenting ${source}: the network produced no output`);
    const seg = await segmentClassMaps(maps, { data: pixels.rgb, width: pixels.width, height: pixels.height, channels: 3 }, this.#stages);
    const labels = seg.labels[this.settings.smoothing]!;
    const gt = opts.groundTruth;
    const comparable = gt && gt.width === pixels.width && gt.height === pixels.height;
    return {
      source,
      image: original,
      width: pixels.width,
      height: pixels.height,
      labelPixels: this.#count(labels),
      truthPixels: gt ? this.#count(gt.data) : null,
      scores: Array.from(maps.scores),
      png: `data:image/png;base64,${encodeSegmentationPng(labels, pixels.width, pixels.height).toString('base64')}`,
      meanIoU: comparable ? imageMeanIoU(labels, gt.data) : null,
    };
  }

  /** Pixels per label 0..C (void and other values not counted). */
  #count(labels: Uint8Array): number[] {
    const n = new Array<number>(this.info.labelNames.length).fill(0);
    for (const l of labels) if (l < n.length) n[l]! += 1;
    return n;
  }
}
