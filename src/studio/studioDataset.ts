// A dataset split as the studio browses it: predicted once at start-up (scores and peaks, as
// `wildcat eval` / `wildcat predict`), judged per image (false positives, false negatives,
// localization misses), listed in pages; maps are computed per image on demand.
import { existsSync } from 'node:fs';
import { encodeIndexedPng, vocColormap, VocDataset, type SegmentationMask } from '../data/index.js';
import { judgeSplit, type SplitVerdicts } from '../report/splitVerdicts.js';
import { openVocSplit, type AnnotatedDataset } from '../train/datasetSpec.js';
import { predictImages, type Predictions } from '../train/predict.js';
import type { DatasetImageDetail, DatasetItem } from './apiTypes.js';
import type { StudioModel } from './studioModel.js';

export class StudioDataset {
  /** Split id → position in the split. */
  readonly index: ReadonlyMap<string, number>;
  /** One listing entry per image, in split order. */
  readonly items: readonly DatasetItem[];

  private constructor(
    readonly spec: string,
    readonly split: string,
    readonly ds: AnnotatedDataset,
    private readonly pred: Predictions,
    private readonly judged: SplitVerdicts,
  ) {
    this.index = new Map(ds.ids.map((id, i) => [id, i]));
    const C = ds.classNames.length;
    this.items = ds.ids.map((id, i) => {
      const v = judged.verdicts[i]!;
      return {
        id,
        index: i,
        present: v.present,
        scores: Array.from(pred.scores.subarray(i * C, (i + 1) * C)),
        missed: v.missed,
        falsePositives: v.falsePositives,
        mislocalized: v.mislocalized,
        errors: v.errors,
        margin: Number.isFinite(v.margin) ? v.margin : null,
      };
    });
  }

  /**
   * Opens `split` of the VOC or COCO dataset `spec` with the run's classes and predicts it with
   * the run's network (in the caller's turn: nothing else uses the network meanwhile).
   */
  static async open(model: StudioModel, spec: string, split: string, onProgress?: (done: number, total: number) => void): Promise<StudioDataset> {
    // Read as the run was trained (its recorded --allow-outside-root / --unknown-class).
    const ds = await openVocSplit(spec, split, model.classNames, model.config);
    if (ds.classNames.length !== model.net.numClasses) {
      throw new Error(`${spec} (${split}) has ${ds.classNames.length} classes [${ds.classNames.join(', ')}] but the run's network has ${model.net.numClasses}; pass the dataset the run was trained on`);
    }
    const pred = await predictImages(model.net, ds, { size: model.config.imageSize, imageSize: (i) => ds.imageSize(i), onProgress });
    return new StudioDataset(spec, split, ds, pred, await judgeSplit(pred, ds, model.config.loss));
  }

  get size(): number {
    return this.ds.size;
  }

  imagePath(i: number): string {
    return this.ds.imagePath(i);
  }

  /** Whether image i has a ground-truth mask: a SegmentationClass PNG (VOC), instance masks (COCO). */
  hasMask(i: number): boolean {
    return this.ds instanceof VocDataset ? existsSync(this.ds.segmentationPath(i)) : this.ds.instancesOf(i).some((a) => a.segmentation);
  }

  /** The ground-truth mask of image i as a PNG in VOC's palette (0 background, 1..C, 255 void), or null. */
  async maskPng(i: number): Promise<Buffer | null> {
    const m = await this.groundTruthMask(i);
    if (!m) return null;
    return encodeIndexedPng({ width: m.width, height: m.height, indices: m.data, palette: vocColormap() });
  }

  /** The ground-truth mask of image i (0 background, 1..C, 255 void), or null. */
  async groundTruthMask(i: number): Promise<SegmentationMask | null> {
    return this.hasMask(i) ? this.ds.segmentation(i) : null;
  }

  /** Everything known about image i except its maps. */
  detail(i: number): DatasetImageDetail {
    const C = this.ds.classNames.length;
    const probs = this.judged.probs[i];
    return {
      ...this.items[i]!,
      width: this.pred.sizes[2 * i]!,
      height: this.pred.sizes[2 * i + 1]!,
      labels: Array.from(this.ds.labels.subarray(i * C, (i + 1) * C)),
      probs: probs ? Array.from(probs) : null,
      points: Array.from({ length: C }, (_, c) => [this.pred.points[(i * C + c) * 2]!, this.pred.points[(i * C + c) * 2 + 1]!] as [number, number]),
      peakHits: this.judged.peakHits[i]!,
      objects: this.judged.objects[i]!,
      hasMask: this.hasMask(i),
    };
  }
}
