// Segmenting the images of a split one by one as their fused class maps arrive, and scoring
// every requested smoothing against the ground-truth masks that exist (mIoU over background +
// classes, void ignored).
import { existsSync } from 'node:fs';
import { DataFileError, expectInteger } from '../core/index.js';
import { decodeImage, type LabeledImageList, type SegmentationMask } from '../data/index.js';
import { SegmentationConfusion, VOID_LABEL, type SegmentationMetrics } from '../eval/index.js';
import type { ImageClassMaps } from './multiScaleClassMaps.js';
import type { RawImage } from './rawImage.js';
import { segmentClassMaps, type ImageSegmentation, type SegmentationStages } from './segmentClassMaps.js';
import type { Smoothing } from './segmentationSettings.js';

/** Segmentation scores of a split. */
export interface SplitSegmentationMetrics {
  /** 'background' then the class names: the rows of the per-class IoU. */
  labelNames: string[];
  /** Images segmented, and how many of them had a ground-truth mask (only those are scored). */
  images: number;
  imagesWithMasks: number;
  /** Metrics per smoothing ('none' = the unsmoothed decision). */
  bySmoothing: Partial<Record<Smoothing, SegmentationMetrics>>;
}

/** A split with class masks: VOC (a SegmentationClass file per image, when it exists) or COCO (masks from the instances). */
export interface MaskedDataset {
  segmentation(i: number): Promise<SegmentationMask>;
  /** VOC: the mask file of image i (images without one have no ground truth). */
  segmentationPath?(i: number): string;
}

/** The ground-truth mask of image i, or null when it has none (a VOC image outside the segmentation set). */
export function groundTruthMasks(ds: MaskedDataset): (i: number) => Promise<SegmentationMask | null> {
  return async (i) => (ds.segmentationPath && !existsSync(ds.segmentationPath(i)) ? null : ds.segmentation(i));
}

/**
 * Segments the images of `list` with `stages` and accumulates one confusion matrix per smoothing.
 * @example
 * const split = new SplitSegmentation(ds, stages, { groundTruth: groundTruthMasks(ds) });
 * await predictImages(net, ds, { size, onImage: (r) => split.submit(r) });
 * await split.finish();
 * split.metrics().bySmoothing.none?.meanIoU;
 */
export class SplitSegmentation {
  readonly confusions = new Map<Smoothing, SegmentationConfusion>();
  images = 0;
  imagesWithMasks = 0;
  private readonly needsPixels: boolean;
  private readonly concurrency: number;
  private readonly running = new Set<Promise<void>>();
  private readonly failures: unknown[] = [];

  /**
   * @param opts.groundTruth the mask of image i (or null: not scored); without it nothing is scored.
   * @param opts.concurrency images `submit` segments at once (default 2: one CRF on the second
   *   core while the network infers the next image).
   */
  constructor(
    private readonly list: LabeledImageList,
    readonly stages: SegmentationStages,
    private readonly opts: { groundTruth?: (i: number) => Promise<SegmentationMask | null>; concurrency?: number } = {},
  ) {
    this.concurrency = expectInteger('option concurrency of SplitSegmentation', opts.concurrency ?? 2, { min: 1 });
    const K = list.classNames.length + 1;
    for (const s of stages.smoothings) this.confusions.set(s, new SegmentationConfusion(K));
    this.needsPixels = stages.smoothings.some((s) => s !== 'none');
  }

  /**
   * Segments one image and scores it against its mask. With `groundTruth` set, images without a
   * mask are skipped (null: nothing to score); without it every image is segmented.
   */
  async add(r: ImageClassMaps): Promise<ImageSegmentation | null> {
    const gt = this.opts.groundTruth ? await this.opts.groundTruth(r.index) : null;
    if (this.opts.groundTruth && !gt) return null;
    const image = this.needsPixels ? await this.pixels(r.index, r.width, r.height) : null;
    const seg = await segmentClassMaps(r, image, this.stages);
    this.images++;
    if (gt) {
      if (gt.width !== r.width || gt.height !== r.height) {
        throw new DataFileError(this.maskName(r.index), `the ground-truth mask is ${gt.width}×${gt.height} but its image is ${r.width}×${r.height}; mask and image sizes must agree`);
      }
      this.checkLabels(r.index, gt);
      for (const [s, cm] of this.confusions) cm.add(seg.labels[s]!, gt.data);
      this.imagesWithMasks++;
    }
    return seg;
  }

  /**
   * Like `add`, without waiting for the result: starts segmenting `r` once fewer than
   * `concurrency` images are in flight, and hands the segmentation to `then` when it is done. The
   * dense CRF runs off the JavaScript thread, so the caller can infer the next image meanwhile.
   * The scores do not depend on the order (confusion counts add up). Call `finish()` at the end;
   * the first failure rejects the next `submit` or `finish`.
   */
  async submit(r: ImageClassMaps, then?: (seg: ImageSegmentation) => void): Promise<void> {
    while (this.running.size >= this.concurrency) await Promise.race(this.running);
    this.rethrow();
    const job: Promise<void> = this.add(r)
      .then((seg) => {
        if (seg && then) then(seg);
      })
      .catch((e: unknown) => {
        this.failures.push(e);
      })
      .finally(() => this.running.delete(job));
    this.running.add(job);
  }

  /** Waits for every submitted image; rethrows the first failure. */
  async finish(): Promise<void> {
    await Promise.all(this.running);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failures.length > 0) throw this.failures[0];
  }

  metrics(): SplitSegmentationMetrics {
    const bySmoothing: SplitSegmentationMetrics['bySmoothing'] = {};
    for (const [s, cm] of this.confusions) bySmoothing[s] = cm.metrics();
    return { labelNames: ['background', ...this.list.classNames], images: this.images, imagesWithMasks: this.imagesWithMasks, bySmoothing };
  }

  /** A mask value that is neither a label of the run (0 background, i+1 class i) nor void is the mask file's fault: named here. */
  private checkLabels(i: number, gt: SegmentationMask): void {
    const K = this.list.classNames.length + 1;
    const p = gt.data.findIndex((v) => v >= K && v !== VOID_LABEL);
    if (p < 0) return;
    throw new DataFileError(this.maskName(i), `pixel (x ${p % gt.width}, y ${Math.floor(p / gt.width)}) has label ${gt.data[p]}, but the labels are 0 (background), ` +
      `1..${K - 1} (the classes ${this.list.classNames[0]} .. ${this.list.classNames[K - 2]}) and ${VOID_LABEL} (void); the mask does not follow the run's class list`);
  }

  private maskName(i: number): string {
    const ds = this.list as Partial<MaskedDataset>;
    return typeof ds.segmentationPath === 'function' ? ds.segmentationPath(i) : `the mask of image ${this.list.ids[i]}`;
  }

  private async pixels(i: number, width: number, height: number): Promise<RawImage> {
    const path = this.list.imagePath(i);
    const d = await decodeImage(path);
    if (d.width !== width || d.height !== height) {
      throw new DataFileError(path, `the image decodes to ${d.width}×${d.height} but its recorded size (annotation) is ${width}×${height}; fix the annotation's <size>`);
    }
    return { data: d.rgb, width: d.width, height: d.height, channels: 3 };
  }
}
