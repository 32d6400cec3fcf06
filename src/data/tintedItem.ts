/**
 * Rendering one gray item (a Fashion-MNIST image) scaled, optionally mirrored or cropped, and tinted
 * onto an `RgbCanvas`.
 *
 * The gray value g ∈ [0, 1] of the resampled item gives both its opacity and its shading:
 *   alpha = smoothstep(0.02, 0.12, g)      (opaque almost everywhere the item is not black)
 *   colour = tint · (0.4 + 0.6·g)          (keeps the item's texture under the tint)
 * and an item pixel belongs to the item's mask when alpha ≥ 0.5, i.e. g ≥ `ITEM_MASK_GRAY`.
 */
import type { GrayItemSet } from './fashionMnist.js';
import { hsvToRgb, type Rgb, type RgbCanvas } from './canvas.js';

/** Gray level (in [0, 1]) from which a resampled item pixel counts as part of the item's mask. */
export const ITEM_MASK_GRAY = 0.07;

const ALPHA_LO = 0.02;
const ALPHA_HI = 0.12;
const SHADE_BASE = 0.4;

/** A resampled item: gray values in [0, 1], row-major `height×width`. */
export interface ItemRaster {
  readonly width: number;
  readonly height: number;
  readonly gray: Float32Array;
}

export interface ResampleOptions {
  /** Mirror horizontally. */
  flip?: boolean;
  /** Source region in item pixels (x0, y0 included, x1, y1 excluded); default the whole item. */
  crop?: { x0: number; y0: number; x1: number; y1: number };
}

/** Bilinear resampling of item `index` of `items` to `width×height` (outside the source reads as 0). */
export function resampleItem(
  items: GrayItemSet, index: number, width: number, height: number, options: ResampleOptions = {},
): ItemRaster {
  if (!(index >= 0 && index < items.count)) {
    throw new RangeError(`item index ${index} outside [0, ${items.count})`);
  }
  width = Math.max(1, Math.round(width));
  height = Math.max(1, Math.round(height));
  const sw = items.width;
  const sh = items.height;
  const crop = options.crop ?? { x0: 0, y0: 0, x1: sw, y1: sh };
  const src = items.pixels.subarray(index * sw * sh, (index + 1) * sw * sh);
  const xs = axisTaps(width, crop.x0, crop.x1, sw, options.flip === true);
  const ys = axisTaps(height, crop.y0, crop.y1, sh, false);
  const gray = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const y0 = ys.i0[y]!;
    const y1 = ys.i1[y]!;
    const wy = ys.w[y]!;
    const row0 = y0 * sw;
    const row1 = y1 * sw;
    for (let x = 0; x < width; x++) {
      const x0 = xs.i0[x]!;
      const x1 = xs.i1[x]!;
      const wx = xs.w[x]!;
      // Taps outside the source point at index -1 and read 0.
      const a = y0 >= 0 && x0 >= 0 ? src[row0 + x0]! : 0;
      const b = y0 >= 0 && x1 >= 0 ? src[row0 + x1]! : 0;
      const c = y1 >= 0 && x0 >= 0 ? src[row1 + x0]! : 0;
      const d = y1 >= 0 && x1 >= 0 ? src[row1 + x1]! : 0;
      const top = a + (b - a) * wx;
      const bottom = c + (d - c) * wx;
      gray[y * width + x] = (top + (bottom - top) * wy) / 255;
    }
  }
  return { width, height, gray };
}

/** For each output position: the two source taps (−1 = outside) and the weight of the second. */
function axisTaps(n: number, s0: number, s1: number, size: number, flip: boolean) {
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const w = new Float32Array(n);
  const scale = (s1 - s0) / n;
  for (let o = 0; o < n; o++) {
    const k = flip ? n - 1 - o : o;
    const s = s0 + (k + 0.5) * scale - 0.5;
    const f = Math.floor(s);
    i0[o] = f >= 0 && f < size ? f : -1;
    i1[o] = f + 1 >= 0 && f + 1 < size ? f + 1 : -1;
    w[o] = s - f;
  }
  return { i0, i1, w };
}

/** Opacity of an item pixel of gray level g. */
export function itemAlpha(g: number): number {
  if (g <= ALPHA_LO) return 0;
  if (g >= ALPHA_HI) return 1;
  const t = (g - ALPHA_LO) / (ALPHA_HI - ALPHA_LO);
  return t * t * (3 - 2 * t);
}

/**
 * How an item is coloured. The colour of an item pixel of gray level g is
 *   tint · ((1 − shading) + shading · g)
 * so `shading` says how much of the item's own texture shows under the tint: 0.6 is the classic
 * shaded look (`pasteTintedItem` with a plain colour), 0 a flat fill of the silhouette.
 * A two-tone item (`tint2` given) blends linearly from `tint` to `tint2` across its frame along
 * the direction `angle` (radians, 0 = left to right).
 */
export interface ItemPaint {
  tint: Rgb;
  shading: number;
  tint2?: Rgb;
  angle?: number;
}

/**
 * Blends the tinted item onto the canvas with its top-left corner at (left, top); parts outside the
 * canvas are clipped. `opacity` scales the item's alpha (1 for real items, low for faint fragments).
 * `paint` is a colour (shaded as the module comment says) or an {@link ItemPaint}.
 */
export function pasteTintedItem(
  canvas: RgbCanvas, item: ItemRaster, left: number, top: number, paint: Rgb | ItemPaint, opacity = 1,
): void {
  const W = canvas.width;
  const H = canvas.height;
  const n = W * H;
  const d = canvas.data;
  const plain = isRgb(paint);
  const [tr, tg, tb] = plain ? paint : paint.tint;
  const base = plain ? SHADE_BASE : 1 - paint.shading;
  const slope = plain ? 1 - SHADE_BASE : paint.shading;
  const second = plain ? undefined : paint.tint2;
  // Two-tone: the blend weight is an affine function of (x, y) over the frame, in [0, 1].
  let ax = 0;
  let ay = 0;
  let a0 = 0;
  if (second) {
    const angle = plain ? 0 : paint.angle ?? 0;
    const cx = Math.cos(angle) / Math.max(1, item.width - 1);
    const cy = Math.sin(angle) / Math.max(1, item.height - 1);
    // Project the frame's corners to normalize the weight to [0, 1].
    const lo = Math.min(0, cx * (item.width - 1)) + Math.min(0, cy * (item.height - 1));
    const hi = Math.max(0, cx * (item.width - 1)) + Math.max(0, cy * (item.height - 1));
    const span = hi - lo || 1;
    ax = cx / span;
    ay = cy / span;
    a0 = -lo / span;
  }
  const xStart = Math.max(0, -left);
  const xEnd = Math.min(item.width, W - left);
  const yStart = Math.max(0, -top);
  const yEnd = Math.min(item.height, H - top);
  for (let y = yStart; y < yEnd; y++) {
    const rowItem = y * item.width;
    const rowCanvas = (y + top) * W + left;
    for (let x = xStart; x < xEnd; x++) {
      const g = item.gray[rowItem + x]!;
      const a = itemAlpha(g) * opacity;
      if (a <= 0) continue;
      const shade = base + slope * g;
      let r = tr;
      let gr = tg;
      let b = tb;
      if (second) {
        const t = a0 + ax * x + ay * y;
        r += (second[0] - tr) * t;
        gr += (second[1] - tg) * t;
        b += (second[2] - tb) * t;
      }
      const p = rowCanvas + x;
      d[p] = d[p]! + (r * shade - d[p]!) * a;
      d[n + p] = d[n + p]! + (gr * shade - d[n + p]!) * a;
      d[2 * n + p] = d[2 * n + p]! + (b * shade - d[2 * n + p]!) * a;
    }
  }
}

function isRgb(paint: Rgb | ItemPaint): paint is Rgb {
  return Array.isArray(paint);
}

/**
 * A random item tint: any hue, saturation in [0.25, 1], brightness in `value` (default [0.7, 1]),
 * so items stand out from the darker clutter of `clutter.ts`.
 */
export function randomItemTint(rng: { next(): number }, value: readonly [number, number] = [0.7, 1]): Rgb {
  const h = rng.next();
  const s = 0.25 + 0.75 * rng.next();
  const v = value[0] + (value[1] - value[0]) * rng.next();
  return hsvToRgb(h, s, v);
}
