/**
 * A COCO split (an instances file and its images folder) as a labelled image list, with the
 * boxes and masks the evaluation reads.
 *
 * - Classes: the category names, in ascending category id (COCO's 80 ids run from 1 to 90 with
 *   gaps; the order of the official category list).
 * - Image-level labels (multi-label, as Oquab et al. 2015 and WILDCAT use COCO): 1 for every
 *   category with at least one instance in the image, crowd regions included (a crowd of people
 *   says for certain that people are there), -1 otherwise. Images without any annotation are kept,
 *   negative for every class.
 * - Boxes (pointwise localization): COCO's [x, y, w, h] as a 0-based half-open pixel box; crowd
 *   regions are flagged `difficult`, so the metric neither rewards nor penalizes a peak in them.
 * - Segmentation (`segmentation(i)`): 0 background, 1..C the class of the instance painted last
 *   (annotation order), 255 void on crowd regions that no other instance covers.
 * - Image ids: the COCO image id as a string.
 *
 * @example
 * const coco = await openCocoDataset('annotations/instances_val2017.json', 'val2017');
 * coco.classNames[0];                 // 'person'
 * (await coco.annotation(0)).objects; // boxes, crowd = difficult
 */
import { join } from 'node:path';
import type { LabeledImageList } from './imageList.js';
import { toVocBndbox } from './box.js';
import { rasterizePolygons, rleToMask, decodeRleCounts } from './cocoMasks.js';
import { readCocoInstances, type CocoImage, type CocoInstance, type CocoInstances, type CocoReadOptions } from './cocoInstances.js';
import type { VocAnnotation, VocObject } from './vocAnnotation.js';
import type { SegmentationMask } from './vocDataset.js';

/** See the module comment. Create with {@link openCocoDataset} or {@link CocoDataset.fromInstances}. */
export class CocoDataset implements LabeledImageList {
  readonly ids: readonly string[];
  readonly classNames: readonly string[];
  /** [N × C]: 1 positive, -1 negative. */
  readonly labels: Int8Array;
  private readonly categoryIndex = new Map<number, number>();
  /** Annotation indices of each image, in file order. */
  private readonly byImage: number[][];

  private constructor(readonly instances: CocoInstances, readonly imagesDir: string) {
    const cats = [...instances.categories].sort((a, b) => a.id - b.id);
    cats.forEach((c, k) => this.categoryIndex.set(c.id, k));
    this.classNames = Object.freeze(cats.map((c) => c.name));
    const imageIndex = new Map<number, number>();
    instances.images.forEach((im, i) => imageIndex.set(im.id, i));
    this.ids = Object.freeze(instances.images.map((im) => String(im.id)));
    const C = cats.length;
    this.labels = new Int8Array(instances.images.length * C).fill(-1);
    this.byImage = instances.images.map(() => []);
    instances.annotations.forEach((a, k) => {
      const i = imageIndex.get(a.imageId)!;
      this.byImage[i]!.push(k);
      this.labels[i * C + this.categoryIndex.get(a.categoryId)!] = 1;
    });
  }

  /** A dataset over already-read instances (tests, tools). */
  static fromInstances(instances: CocoInstances, imagesDir: string): CocoDataset {
    return new CocoDataset(instances, imagesDir);
  }

  get size(): number {
    return this.ids.length;
  }

  imagePath(i: number): string {
    return join(this.imagesDir, this.image(i).fileName);
  }

  /** Class index of a category name, or -1. */
  classIndexOf(name: string): number {
    return this.classNames.indexOf(name);
  }

  /** The instances of image i, in file order. */
  instancesOf(i: number): CocoInstance[] {
    this.image(i);
    return this.byImage[i]!.map((k) => this.instances.annotations[k]!);
  }

  /** Image i's boxes in the shape of a VOC annotation (crowd regions flagged difficult). */
  async annotation(i: number): Promise<VocAnnotation> {
    const im = this.image(i);
    const objects = this.instancesOf(i).map((a): VocObject => {
      const [x, y, w, h] = a.bbox;
      // COCO boxes are continuous [x, x + w); the pixels they cover are floor(x) .. ceil(x + w) - 1.
      const x0 = Math.max(0, Math.floor(x));
      const y0 = Math.max(0, Math.floor(y));
      const x1 = Math.min(im.width, Math.max(x0 + 1, Math.ceil(x + w)));
      const y1 = Math.min(im.height, Math.max(y0 + 1, Math.ceil(y + h)));
      const box = { x0, y0, x1, y1 };
      return { name: this.nameOf(a), pose: 'Unspecified', truncated: false, difficult: a.crowd, bndbox: toVocBndbox(box), box };
    });
    return { filename: im.fileName, width: im.width, height: im.height, depth: 3, segmented: objects.length > 0, objects };
  }

  /** All annotations of the split, in id order. */
  annotations(): Promise<VocAnnotation[]> {
    return Promise.all(this.ids.map((_, i) => this.annotation(i)));
  }

  async imageSize(i: number): Promise<{ width: number; height: number }> {
    const im = this.image(i);
    return { width: im.width, height: im.height };
  }

  /** The 0/1 mask (row-major, image size) of instance `k` of image i; null when it has none. */
  instanceMask(i: number, k: number): Uint8Array | null {
    const im = this.image(i);
    const a = this.instancesOf(i)[k];
    if (!a) throw new RangeError(`COCO image ${im.id} has ${this.byImage[i]!.length} instances; no instance ${k}`);
    const s = a.segmentation;
    if (!s) return null;
    const what = `${this.instances.file}: annotation id ${a.id}`;
    if (s.kind === 'polygons') return rasterizePolygons(s.polygons, im.height, im.width);
    return rleToMask(typeof s.counts === 'string' ? decodeRleCounts(s.counts, what) : s.counts, s.height, s.width, what);
  }

  /** Class mask of image i: 0 background, 1..C classes, 255 void (crowd); see the module comment. */
  async segmentation(i: number): Promise<SegmentationMask> {
    const im = this.image(i);
    const data = new Uint8Array(im.width * im.height);
    const inst = this.instancesOf(i);
    // Crowd first, so any instance drawn over a crowd region wins.
    const order = inst.map((_, k) => k).sort((p, q) => Number(inst[q]!.crowd) - Number(inst[p]!.crowd));
    for (const k of order) {
      const m = this.instanceMask(i, k);
      if (!m) continue;
      const a = inst[k]!;
      const v = a.crowd ? 255 : this.categoryIndex.get(a.categoryId)! + 1;
      for (let p = 0; p < m.length; p++) if (m[p]) data[p] = v;
    }
    return { width: im.width, height: im.height, data };
  }

  private nameOf(a: CocoInstance): string {
    return this.classNames[this.categoryIndex.get(a.categoryId)!]!;
  }

  private image(i: number): CocoImage {
    const im = this.instances.images[i];
    if (!im) throw new RangeError(`COCO ${this.instances.file}: image index ${i} outside [0, ${this.ids.length})`);
    return im;
  }
}

/** Reads a COCO instances file and pairs it with its images folder. */
export async function openCocoDataset(instancesFile: string, imagesDir: string, options: CocoReadOptions = {}): Promise<CocoDataset> {
  return CocoDataset.fromInstances(await readCocoInstances(instancesFile, options), imagesDir);
}
