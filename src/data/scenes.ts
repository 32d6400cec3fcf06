/**
 * Cluttered multi-item scenes: the VOC/COCO analogue for weakly supervised training.
 *
 * A scene is a cluttered background (`clutter.ts`) with 1–4 gray items (Fashion-MNIST) at random
 * positions, sizes (frame side 40–110 px) and tints. With `styles`, each scene instead draws its
 * look from style families (`canvasStyle.ts`: background family, tint rule, contrast, fragments,
 * blur, noise, JPEG artefacts) — e.g. the held-out style pre-training never sees. Items may overlap, but every item keeps at
 * least `minVisible` of its mask visible, and lies fully inside the image (never truncated).
 * Ground truth, kept for evaluation only:
 * - the class set (image-level labels),
 * - one tight box per item around its *visible* mask pixels (0-based half-open, see `box.ts`),
 * - a class mask (0 background, 1 + class index, optionally 255 = void along item borders) and an
 *   instance mask (0 background, 1 + object index, same void).
 *
 * Class indices follow the alphabetical order of the class names, as in VOC (whose 20 classes are
 * alphabetical), so that a VOC reader detecting classes from file names finds the same indices.
 * Scene `k` of a generator depends only on (seed, k): deterministic and order independent.
 *
 * @example
 * const gen = new SceneGenerator(await loadFashionMnist('train'), { seed: 7 });
 * const scene = gen.sceneAt(0); // scene.rgb: 192×192×3 bytes, scene.objects[0].box, scene.classMask
 */
import type { GrayItemSet } from './fashionMnist.js';
import { maskBox, type PixelBox } from './box.js';
import { canvasToRgbBytes, createCanvas, type Rgb } from './canvas.js';
import { degradeCanvas } from './cameraDegradation.js';
import { checkStyleFamilies, DEFAULT_STYLE_RANGES, sampleCanvasStyle, sampleItemPaint, type CanvasStyle, type StyleFamilies } from './canvasStyle.js';
import { addPixelNoise, drawClutter, type ClutterOptions } from './clutter.js';
import { mixSeed, Rng } from './random.js';
import { drawStyledBackground, regionValue } from './styledBackground.js';
import { ITEM_MASK_GRAY, pasteTintedItem, randomItemTint, resampleItem, type ItemPaint } from './tintedItem.js';

export interface SceneOptions {
  /** Square image side in pixels (default 192); `width`/`height` override it. */
  size?: number;
  width?: number;
  height?: number;
  /** Number of items per scene, drawn uniformly in [minItems, maxItems]. Default 1..4. */
  minItems?: number;
  maxItems?: number;
  /** Range of the item frame side (the 28-px item frame scaled). Default 40..110. */
  minItemSize?: number;
  maxItemSize?: number;
  /** Relative aspect jitter of the frame (see `SingleItemOptions`). Default 0.1. */
  aspectJitter?: number;
  /** Fraction of each item's mask that must stay visible under later items. Default 0.75. */
  minVisible?: number;
  /** Placement attempts per item before the item is dropped. Default 50. */
  maxAttempts?: number;
  /** Randomly mirror items. Default true. */
  flip?: boolean;
  /**
   * Width r of the void (255) band along item borders in the masks: a pixel is void when a pixel
   * within Chebyshev distance r has another instance label (so r = 1 gives a 2-px band). Default 0.
   */
  voidBorder?: number;
  /** Background clutter; fragment counts default to 0..4 here (scaled for the larger canvas). */
  clutter?: Partial<ClutterOptions>;
  /**
   * Style families drawn per scene (`canvasStyle.ts`), e.g. `HELD_OUT_STYLES` for scenes in a style
   * pre-training never saw. Default none: the classic clutter look (`clutter` then applies).
   */
  styles?: StyleFamilies | null;
  /** Class order of the scenes; default: the item set's class names sorted alphabetically. */
  classNames?: readonly string[];
  /** Restrict to these item indices of the set. Default all items. */
  itemIndices?: ArrayLike<number>;
  /** Default 0. */
  seed?: number;
}

export interface SceneObject {
  /** Index in the generator's `classNames` (scene order, not item-set order). */
  classIndex: number;
  className: string;
  /** Index of the source item in the item set. */
  itemIndex: number;
  /** Tight box of the visible mask pixels, 0-based half-open. */
  box: PixelBox;
  /** Placed item frame (the scaled 28×28 square), 0-based half-open. */
  frame: PixelBox;
  /** Visible mask pixels and mask pixels before occlusion. */
  visibleArea: number;
  fullArea: number;
  /** The item's (first) colour. */
  tint: Rgb;
}

export interface Scene {
  width: number;
  height: number;
  /** Interleaved RGB bytes, `height×width×3`. */
  rgb: Uint8Array;
  /** Per pixel: 0 background, 1 + class index, 255 void. */
  classMask: Uint8Array;
  /** Per pixel: 0 background, 1 + object index in `objects`, 255 void. */
  instanceMask: Uint8Array;
  objects: SceneObject[];
  /** Sorted distinct class indices present. */
  classes: number[];
  /** The scene's style draw (styled generators only). */
  style?: CanvasStyle;
}

/** Generator of scenes; see the module comment. */
export class SceneGenerator {
  readonly classNames: readonly string[];
  readonly numClasses: number;
  readonly width: number;
  readonly height: number;
  private readonly itemClassToScene: Int32Array;
  private readonly o: Required<Omit<SceneOptions, 'itemIndices' | 'classNames' | 'size' | 'clutter' | 'styles'>> & {
    clutter: Partial<ClutterOptions>;
  };
  private readonly styles: StyleFamilies | null;
  private readonly indices: ArrayLike<number> | null;

  constructor(private readonly items: GrayItemSet, options: SceneOptions = {}) {
    const size = options.size ?? 192;
    this.width = options.width ?? size;
    this.height = options.height ?? size;
    this.o = {
      width: this.width,
      height: this.height,
      minItems: options.minItems ?? 1,
      maxItems: options.maxItems ?? 4,
      minItemSize: options.minItemSize ?? 40,
      maxItemSize: options.maxItemSize ?? 110,
      aspectJitter: options.aspectJitter ?? 0.1,
      minVisible: options.minVisible ?? 0.75,
      maxAttempts: options.maxAttempts ?? 50,
      flip: options.flip ?? true,
      voidBorder: options.voidBorder ?? 0,
      clutter: { fragments: [0, 4], ...options.clutter },
      seed: options.seed ?? 0,
    };
    const o = this.o;
    if (items.count === 0) throw new RangeError('SceneGenerator: the item set is empty');
    if (!(o.minItems >= 1 && o.minItems <= o.maxItems && o.maxItems <= 254)) {
      throw new RangeError(`SceneGenerator: need 1 <= minItems <= maxItems <= 254, got ${o.minItems}..${o.maxItems}`);
    }
    if (!(o.minItemSize >= 4 && o.minItemSize <= o.maxItemSize)) {
      throw new RangeError(`SceneGenerator: need 4 <= minItemSize <= maxItemSize, got ${o.minItemSize}..${o.maxItemSize}`);
    }
    const largest = Math.ceil(o.maxItemSize * (1 + o.aspectJitter));
    if (largest > Math.min(this.width, this.height)) {
      throw new RangeError(`SceneGenerator: items up to ${largest} px (maxItemSize ${o.maxItemSize}, aspect jitter ` +
        `${o.aspectJitter}) do not fit a ${this.width}×${this.height} image; lower maxItemSize or enlarge the image`);
    }
    if (!(o.minVisible > 0 && o.minVisible <= 1)) {
      throw new RangeError(`SceneGenerator: minVisible must be in (0, 1], got ${o.minVisible}`);
    }
    this.classNames = Object.freeze([...(options.classNames ?? [...items.classNames].sort())]);
    this.numClasses = this.classNames.length;
    if (this.numClasses > 254) throw new RangeError(`SceneGenerator: at most 254 classes fit a mask, got ${this.numClasses}`);
    this.itemClassToScene = new Int32Array(items.classNames.length);
    items.classNames.forEach((name, i) => {
      const k = this.classNames.indexOf(name);
      if (k < 0) throw new RangeError(`SceneGenerator: item class '${name}' is missing from classNames [${this.classNames.join(', ')}]`);
      this.itemClassToScene[i] = k;
    });
    this.indices = options.itemIndices ?? null;
    if (this.indices && this.indices.length === 0) throw new RangeError('SceneGenerator: itemIndices is empty');
    this.styles = options.styles ?? null;
    if (this.styles) checkStyleFamilies(this.styles, 'SceneGenerator');
  }

  /** Scene number `index` (pure function of the seed and the index). */
  sceneAt(index: number): Scene {
    return this.render(new Rng(mixSeed(this.o.seed, 'scene', index)));
  }

  /** Renders one scene from `rng`. */
  render(rng: Rng): Scene {
    const o = this.o;
    const W = this.width;
    const H = this.height;
    const canvas = createCanvas(W, H);
    // Styled scenes: fragment counts scale with the side (the style ranges are for 96-px canvases).
    const sideScale = Math.min(W, H) / 96;
    const style = this.styles
      ? sampleCanvasStyle(rng, this.styles, { ...DEFAULT_STYLE_RANGES, fragments: [0, Math.round(DEFAULT_STYLE_RANGES.fragments[1] * sideScale)] })
      : undefined;
    let noise = 0;
    if (style) drawStyledBackground(canvas, rng, style, this.items);
    else noise = drawClutter(canvas, rng, this.items, o.clutter).noise;
    const instance = new Uint8Array(W * H);
    const placed: Array<Omit<SceneObject, 'box' | 'visibleArea'>> = [];
    const visible: number[] = [];
    const wanted = rng.intBetween(o.minItems, o.maxItems);
    for (let n = 0; n < wanted; n++) {
      const itemIndex = this.indices ? this.indices[rng.int(this.indices.length)]! : rng.int(this.items.count);
      const side = rng.uniform(o.minItemSize, o.maxItemSize);
      const j = 1 + rng.uniform(-o.aspectJitter, o.aspectJitter);
      const raster = resampleItem(this.items, itemIndex, Math.min(W, side * j), Math.min(H, side / j), {
        flip: o.flip && rng.bool(),
      });
      // Classic scenes draw the tint here; styled ones once the place (and what lies under it) is known.
      const classicTint = style ? undefined : randomItemTint(rng);
      // Item mask as offsets from the item's top-left pixel in the image.
      const offsets: number[] = [];
      for (let p = 0; p < raster.gray.length; p++) {
        if (raster.gray[p]! >= ITEM_MASK_GRAY) offsets.push(Math.floor(p / raster.width) * W + (p % raster.width));
      }
      if (offsets.length === 0) continue;
      const maskPixels = Int32Array.from(offsets);
      let left = -1;
      let top = -1;
      const covered = new Int32Array(placed.length + 1);
      for (let attempt = 0; attempt < o.maxAttempts; attempt++) {
        const x = rng.intBetween(0, W - raster.width);
        const y = rng.intBetween(0, H - raster.height);
        covered.fill(0);
        const origin = y * W + x;
        if (placed.length > 0) {
          for (let m = 0; m < maskPixels.length; m++) {
            const k = instance[origin + maskPixels[m]!]!;
            if (k) covered[k - 1]!++;
          }
        }
        let ok = true;
        for (let k = 0; k < placed.length; k++) {
          if (visible[k]! - covered[k]! < o.minVisible * placed[k]!.fullArea) {
            ok = false;
            break;
          }
        }
        if (ok) {
          left = x;
          top = y;
          break;
        }
      }
      if (left < 0) continue; // no room: drop the item (the first item always fits)
      const frame = { x0: left, y0: top, x1: left + raster.width, y1: top + raster.height };
      const paint: Rgb | ItemPaint = classicTint ?? sampleItemPaint(rng, style!, regionValue(canvas, frame));
      const tint = classicTint ?? (paint as ItemPaint).tint;
      pasteTintedItem(canvas, raster, left, top, paint);
      const id = placed.length + 1;
      for (let k = 0; k < placed.length; k++) visible[k] = visible[k]! - covered[k]!;
      const origin = top * W + left;
      for (let m = 0; m < maskPixels.length; m++) instance[origin + maskPixels[m]!] = id;
      const classIndex = this.itemClassToScene[this.items.labels[itemIndex]!]!;
      placed.push({
        classIndex, className: this.classNames[classIndex]!, itemIndex, frame,
        fullArea: maskPixels.length, tint,
      });
      visible.push(maskPixels.length);
    }
    if (style) degradeCanvas(canvas, rng, style);
    else addPixelNoise(canvas, rng, noise);

    const objects: SceneObject[] = placed.map((p, k) => ({
      ...p, box: maskBox(instance, W, H, k + 1)!, visibleArea: visible[k]!,
    }));
    const classMask = new Uint8Array(W * H);
    for (let p = 0; p < classMask.length; p++) {
      const k = instance[p]!;
      if (k) classMask[p] = 1 + objects[k - 1]!.classIndex;
    }
    if (o.voidBorder > 0) markVoidBorders(instance, classMask, W, H, o.voidBorder);
    const classes = [...new Set(objects.map((ob) => ob.classIndex))].sort((a, b) => a - b);
    return { width: W, height: H, rgb: canvasToRgbBytes(canvas), classMask, instanceMask: instance, objects, classes, ...(style ? { style } : {}) };
  }

  /** Image-level labels of a scene: 1 for present classes, -1 otherwise (length `numClasses`). */
  labelsOf(scene: Scene): Int8Array {
    const labels = new Int8Array(this.numClasses).fill(-1);
    for (const c of scene.classes) labels[c] = 1;
    return labels;
  }
}

/** Sets to 255 (in both masks) every pixel with another instance label within Chebyshev distance r. */
function markVoidBorders(instance: Uint8Array, classMask: Uint8Array, W: number, H: number, r: number): void {
  // A pixel is void iff min ≠ max of the instance labels over its (2r+1)² window: separable filters.
  const rowMin = new Uint8Array(W * H);
  const rowMax = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let lo = 255;
      let hi = 0;
      for (let dx = Math.max(0, x - r); dx <= Math.min(W - 1, x + r); dx++) {
        const v = instance[y * W + dx]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      rowMin[y * W + x] = lo;
      rowMax[y * W + x] = hi;
    }
  }
  const isVoid = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let lo = 255;
      let hi = 0;
      for (let dy = Math.max(0, y - r); dy <= Math.min(H - 1, y + r); dy++) {
        const a = rowMin[dy * W + x]!;
        const b = rowMax[dy * W + x]!;
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
      if (lo !== hi) isVoid[y * W + x] = 1;
    }
  }
  for (let p = 0; p < isVoid.length; p++) {
    if (isVoid[p]) {
      instance[p] = 255;
      classMask[p] = 255;
    }
  }
}
