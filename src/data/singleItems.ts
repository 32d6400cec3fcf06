/**
 * Single-item images: the ImageNet analogue used to pre-train the backbone.
 *
 * Each image is one gray item (e.g. Fashion-MNIST) randomly scaled (36–84 px by default), randomly
 * mirrored and tinted, pasted at a random position on a 96-px cluttered canvas (`clutter.ts`), with
 * the item's class as label. With `styles` (e.g. `PRETRAIN_STYLES`), every image draws its own look
 * instead (`canvasStyle.ts`): background family, tint rule, item/background contrast, clutter
 * fragments, blur, pixel noise and JPEG artefacts, so the backbone learns shapes, not one style. Generated in memory (no file I/O), fast enough for on-the-fly training
 * batches, and deterministic: batch k of a generator depends only on (seed, k).
 *
 * Images are normalized like files loaded by `imagePipeline.ts` (8-bit quantized, ImageNet
 * mean/std by default), so a backbone pre-trained here sees the same value range on scenes.
 *
 * @example
 * const gen = new SingleItemGenerator(await loadFashionMnist('train'), { seed: 1 });
 * const { images, labels } = gen.nextBatch(64); // images: [64,3,96,96], labels: [64] in 0..9
 */
import type { GrayItemSet } from './fashionMnist.js';
import type { PixelBox } from './box.js';
import { canvasToNormalized, createCanvas, IMAGENET_MEAN, IMAGENET_STD, type Rgb, type RgbCanvas } from './canvas.js';
import { degradeCanvas } from './cameraDegradation.js';
import { checkStyleFamilies, sampleCanvasStyle, sampleItemPaint, type CanvasStyle, type StyleFamilies } from './canvasStyle.js';
import { addPixelNoise, drawClutter, type ClutterOptions } from './clutter.js';
import { mixSeed, Rng } from './random.js';
import { drawStyledBackground, regionValue } from './styledBackground.js';
import { pasteTintedItem, randomItemTint, resampleItem } from './tintedItem.js';

export interface SingleItemOptions {
  /** Side of the square canvas in pixels. Default 96. */
  canvasSize?: number;
  /** Range of the item's frame side (the 28-px item frame scaled). Default 36..84. */
  minSize?: number;
  maxSize?: number;
  /** Relative aspect jitter of the frame: width·(1+j), height/(1+j), j uniform in ±this. Default 0.1. */
  aspectJitter?: number;
  /** Randomly mirror items. Default true. */
  flip?: boolean;
  /** Seed of the whole stream of batches. Default 0. */
  seed?: number;
  /** Normalization; defaults to ImageNet statistics. */
  mean?: Rgb;
  std?: Rgb;
  /** Background clutter settings (see `DEFAULT_CLUTTER`); classic look only. */
  clutter?: Partial<ClutterOptions>;
  /** Style families each image draws its look from (`canvasStyle.ts`). Default none: the classic clutter look. */
  styles?: StyleFamilies | null;
  /** Restrict to these item indices of the set (e.g. a held-out part). Default all items. */
  itemIndices?: ArrayLike<number>;
}

/** One rendered sample before normalization. */
export interface SingleItemSample {
  canvas: RgbCanvas;
  label: number;
  itemIndex: number;
  /** The item's frame on the canvas (0-based, half-open). */
  frame: PixelBox;
  /** The image's style draw (styled generators only). */
  style?: CanvasStyle;
}

export interface ItemBatch {
  /** [B, 3, S, S] normalized, CHW per image. */
  images: Float32Array;
  /** [B] class indices. */
  labels: Int32Array;
  batchSize: number;
  size: number;
}

/** Generator of single-item batches; see the module comment. */
export class SingleItemGenerator {
  readonly classNames: readonly string[];
  readonly numClasses: number;
  readonly canvasSize: number;
  private readonly opts: Required<Omit<SingleItemOptions, 'itemIndices' | 'clutter' | 'styles'>> & { clutter: Partial<ClutterOptions> };
  private readonly styles: StyleFamilies | null;
  private readonly indices: ArrayLike<number> | null;
  private counter = 0;

  constructor(private readonly items: GrayItemSet, options: SingleItemOptions = {}) {
    const canvasSize = options.canvasSize ?? 96;
    const minSize = options.minSize ?? 36;
    const maxSize = options.maxSize ?? 84;
    if (!(minSize >= 4 && minSize <= maxSize)) {
      throw new RangeError(`SingleItemGenerator: need 4 <= minSize <= maxSize, got ${minSize}..${maxSize}`);
    }
    if (maxSize > canvasSize) {
      throw new RangeError(`SingleItemGenerator: maxSize ${maxSize} exceeds canvasSize ${canvasSize}`);
    }
    if (items.count === 0) throw new RangeError('SingleItemGenerator: the item set is empty');
    this.opts = {
      canvasSize, minSize, maxSize,
      aspectJitter: options.aspectJitter ?? 0.1,
      flip: options.flip ?? true,
      seed: options.seed ?? 0,
      mean: options.mean ?? IMAGENET_MEAN,
      std: options.std ?? IMAGENET_STD,
      clutter: options.clutter ?? {},
    };
    this.indices = options.itemIndices ?? null;
    if (this.indices && this.indices.length === 0) throw new RangeError('SingleItemGenerator: itemIndices is empty');
    this.styles = options.styles ?? null;
    if (this.styles) checkStyleFamilies(this.styles, 'SingleItemGenerator');
    this.classNames = items.classNames;
    this.numClasses = items.classNames.length;
    this.canvasSize = canvasSize;
  }

  /** Renders one sample from `rng` (item drawn at random unless `itemIndex` is given). */
  sample(rng: Rng, itemIndex?: number): SingleItemSample {
    const o = this.opts;
    const S = o.canvasSize;
    const index = itemIndex ?? (this.indices ? this.indices[rng.int(this.indices.length)]! : rng.int(this.items.count));
    const canvas = createCanvas(S, S);
    const style = this.styles ? sampleCanvasStyle(rng, this.styles) : undefined;
    let noise = 0;
    if (style) drawStyledBackground(canvas, rng, style, this.items);
    else noise = drawClutter(canvas, rng, this.items, o.clutter).noise;
    const side = rng.uniform(o.minSize, o.maxSize);
    const j = 1 + rng.uniform(-o.aspectJitter, o.aspectJitter);
    const w = Math.min(S, Math.round(side * j));
    const h = Math.min(S, Math.round(side / j));
    const raster = resampleItem(this.items, index, w, h, { flip: o.flip && rng.bool() });
    const left = rng.intBetween(0, S - raster.width);
    const top = rng.intBetween(0, S - raster.height);
    const frame = { x0: left, y0: top, x1: left + raster.width, y1: top + raster.height };
    if (style) {
      pasteTintedItem(canvas, raster, left, top, sampleItemPaint(rng, style, regionValue(canvas, frame)));
      degradeCanvas(canvas, rng, style);
    } else {
      pasteTintedItem(canvas, raster, left, top, randomItemTint(rng));
      addPixelNoise(canvas, rng, noise);
    }
    return { canvas, label: this.items.labels[index]!, itemIndex: index, frame, ...(style ? { style } : {}) };
  }

  /** Batch number `batchIndex` of this generator's stream (pure function of seed and index). */
  batchAt(batchIndex: number, batchSize: number): ItemBatch {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    }
    const S = this.opts.canvasSize;
    const plane = 3 * S * S;
    const images = new Float32Array(batchSize * plane);
    const labels = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const rng = new Rng(mixSeed(this.opts.seed, batchIndex, b));
      const s = this.sample(rng);
      canvasToNormalized(s.canvas, images, b * plane, this.opts.mean, this.opts.std);
      labels[b] = s.label;
    }
    return { images, labels, batchSize, size: S };
  }

  /** The next batch of the stream (batch 0, 1, 2, ... of `batchAt`). */
  nextBatch(batchSize: number): ItemBatch {
    return this.batchAt(this.counter++, batchSize);
  }

  /** Restarts `nextBatch` at batch `batchIndex` (e.g. when resuming training). */
  seek(batchIndex: number): void {
    this.counter = batchIndex;
  }
}
