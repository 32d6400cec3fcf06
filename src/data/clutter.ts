/**
 * Cluttered backgrounds for synthetic images: a dark base colour with smooth colour blotches,
 * faint gratings, translucent shapes, faint fragments of other items, and pixel noise.
 *
 * The clutter is there so that "anything bright" is not enough to find items: the network has to
 * learn shapes, and localization has something to be wrong about. Everything is drawn from the
 * given `Rng`, so a background is reproducible from its seed.
 */
import type { GrayItemSet } from './fashionMnist.js';
import { fillCanvas, hsvToRgb, type RgbCanvas } from './canvas.js';
import type { Rng } from './random.js';
import { pasteTintedItem, randomItemTint, resampleItem } from './tintedItem.js';

export type Range = readonly [number, number];

export interface ClutterOptions {
  /** Brightness (HSV value) of the base colour. */
  backgroundValue: Range;
  /** Saturation of the base colour. */
  backgroundSaturation: Range;
  /** Standard deviation of the smooth per-channel colour blotches. */
  blotchAmplitude: Range;
  /** Number of sinusoidal gratings and their amplitude. */
  gratings: Range;
  gratingAmplitude: Range;
  /** Number of translucent rectangles / ellipses and their opacity. */
  shapes: Range;
  shapeOpacity: Range;
  /** Number of faint fragments of random items, and their opacity. Needs an item set. */
  fragments: Range;
  fragmentOpacity: Range;
  /** Side fraction of the item cropped for a fragment (small, so fragments stay unrecognizable). */
  fragmentCrop: Range;
  /** Amplitude of the uniform pixel noise the generators add after pasting items. */
  noise: Range;
}

/** Defaults used by the single-item and scene generators (fragment counts scale with the area there). */
export const DEFAULT_CLUTTER: Readonly<ClutterOptions> = Object.freeze({
  backgroundValue: [0.05, 0.4] as Range,
  backgroundSaturation: [0, 0.6] as Range,
  blotchAmplitude: [0.02, 0.08] as Range,
  gratings: [0, 2] as Range,
  gratingAmplitude: [0.01, 0.04] as Range,
  shapes: [0, 3] as Range,
  shapeOpacity: [0.06, 0.2] as Range,
  fragments: [0, 2] as Range,
  fragmentOpacity: [0.08, 0.2] as Range,
  fragmentCrop: [0.25, 0.5] as Range,
  noise: [0.01, 0.04] as Range,
});

/**
 * Draws a full cluttered background over the whole canvas (previous content is replaced).
 * Returns the pixel-noise amplitude drawn for this image: apply it with `addPixelNoise` once the
 * items are pasted, so noise covers items and background alike.
 */
export function drawClutter(
  canvas: RgbCanvas, rng: Rng, items: GrayItemSet | null, options: Partial<ClutterOptions> = {},
): { noise: number } {
  const o: ClutterOptions = { ...DEFAULT_CLUTTER, ...options };
  const base = hsvToRgb(rng.next(), uni(rng, o.backgroundSaturation), uni(rng, o.backgroundValue));
  fillCanvas(canvas, base);
  addBlotches(canvas, rng, uni(rng, o.blotchAmplitude));
  const nGratings = count(rng, o.gratings);
  for (let i = 0; i < nGratings; i++) addGrating(canvas, rng, uni(rng, o.gratingAmplitude));
  const nShapes = count(rng, o.shapes);
  for (let i = 0; i < nShapes; i++) addShape(canvas, rng, uni(rng, o.shapeOpacity));
  if (items && items.count > 0) {
    const nFragments = count(rng, o.fragments);
    for (let i = 0; i < nFragments; i++) addFragment(canvas, rng, items, uni(rng, o.fragmentOpacity), o.fragmentCrop);
  }
  return { noise: uni(rng, o.noise) };
}

/** Adds uniform noise in [-amplitude, amplitude] to every value (sensor-like, drawn last). */
export function addPixelNoise(canvas: RgbCanvas, rng: Rng, amplitude: number): void {
  if (amplitude <= 0) return;
  const d = canvas.data;
  const scale = (2 * amplitude) / 4294967296;
  // An inline xorshift32 seeded from rng: ~10× faster than one Rng call per value, still seeded.
  let x = rng.nextUint32() | 1;
  for (let i = 0; i < d.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    d[i] = d[i]! + (x >>> 0) * scale - amplitude;
  }
}

function uni(rng: Rng, r: Range): number {
  return r[0] + (r[1] - r[0]) * rng.next();
}

function count(rng: Rng, r: Range): number {
  return rng.intBetween(Math.round(r[0]), Math.max(Math.round(r[0]), Math.round(r[1])));
}

/** Smooth colour variation: per-channel normal offsets on a coarse grid, bilinearly upsampled. */
function addBlotches(canvas: RgbCanvas, rng: Rng, amplitude: number): void {
  const { width: W, height: H, data: d } = canvas;
  const g = rng.intBetween(2, 6);
  const side = g + 1;
  const grid = new Float32Array(3 * side * side);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.normal(0, amplitude);
  const ix = new Int32Array(W);
  const fx = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    const gx = (x / W) * g;
    ix[x] = Math.min(g - 1, Math.floor(gx));
    fx[x] = gx - ix[x]!;
  }
  const row = new Float32Array(side);
  const n = W * H;
  for (let c = 0; c < 3; c++) {
    const o = c * side * side;
    for (let y = 0; y < H; y++) {
      const gy = (y / H) * g;
      const iy = Math.min(g - 1, Math.floor(gy));
      const fy = gy - iy;
      for (let k = 0; k < side; k++) {
        const a = grid[o + iy * side + k]!;
        row[k] = a + (grid[o + (iy + 1) * side + k]! - a) * fy;
      }
      const base = c * n + y * W;
      for (let x = 0; x < W; x++) {
        const k = ix[x]!;
        const a = row[k]!;
        d[base + x] = d[base + x]! + a + (row[k + 1]! - a) * fx[x]!;
      }
    }
  }
}

/** A faint oriented sinusoid, coloured; sin(ax+by+φ) expanded so only 4 tables are computed. */
function addGrating(canvas: RgbCanvas, rng: Rng, amplitude: number): void {
  const { width: W, height: H, data: d } = canvas;
  const period = 3 + rng.next() * 20;
  const theta = rng.next() * Math.PI;
  const k = (2 * Math.PI) / period;
  const a = k * Math.cos(theta);
  const b = k * Math.sin(theta);
  const phase = rng.next() * 2 * Math.PI;
  const colour = [rng.uniform(0.3, 1), rng.uniform(0.3, 1), rng.uniform(0.3, 1)].map((v) => v * amplitude);
  const sx = new Float32Array(W);
  const cx = new Float32Array(W);
  for (let x = 0; x < W; x++) {
    sx[x] = Math.sin(a * x + phase);
    cx[x] = Math.cos(a * x + phase);
  }
  const n = W * H;
  for (let y = 0; y < H; y++) {
    const sy = Math.sin(b * y);
    const cy = Math.cos(b * y);
    for (let x = 0; x < W; x++) {
      const v = sx[x]! * cy + cx[x]! * sy;
      const p = y * W + x;
      d[p] = d[p]! + colour[0]! * v;
      d[n + p] = d[n + p]! + colour[1]! * v;
      d[2 * n + p] = d[2 * n + p]! + colour[2]! * v;
    }
  }
}

/** A translucent axis-aligned rectangle or ellipse of a random colour. */
function addShape(canvas: RgbCanvas, rng: Rng, opacity: number): void {
  const { width: W, height: H, data: d } = canvas;
  const w = Math.max(2, Math.round(rng.uniform(0.05, 0.5) * W));
  const h = Math.max(2, Math.round(rng.uniform(0.05, 0.5) * H));
  const left = rng.int(W) - Math.floor(w / 2);
  const top = rng.int(H) - Math.floor(h / 2);
  const ellipse = rng.bool();
  const colour = hsvToRgb(rng.next(), rng.next(), rng.uniform(0.1, 0.8));
  const n = W * H;
  for (let y = Math.max(0, top); y < Math.min(H, top + h); y++) {
    const ny = (y + 0.5 - top) / h * 2 - 1;
    for (let x = Math.max(0, left); x < Math.min(W, left + w); x++) {
      if (ellipse) {
        const nx = (x + 0.5 - left) / w * 2 - 1;
        if (nx * nx + ny * ny > 1) continue;
      }
      const p = y * W + x;
      for (let c = 0; c < 3; c++) d[c * n + p] = d[c * n + p]! + (colour[c]! - d[c * n + p]!) * opacity;
    }
  }
}

/** A faint, tinted, randomly cropped piece of a random item, at item scale, anywhere (clipped). */
function addFragment(canvas: RgbCanvas, rng: Rng, items: GrayItemSet, opacity: number, crop: Range): void {
  const index = rng.int(items.count);
  const cw = items.width * uni(rng, crop);
  const ch = items.height * uni(rng, crop);
  const x0 = rng.uniform(0, items.width - cw);
  const y0 = rng.uniform(0, items.height - ch);
  const scale = rng.uniform(1.3, 3.9);
  const raster = resampleItem(items, index, cw * scale, ch * scale, {
    flip: rng.bool(), crop: { x0, y0, x1: x0 + cw, y1: y0 + ch },
  });
  const left = rng.int(canvas.width + raster.width) - raster.width;
  const top = rng.int(canvas.height + raster.height) - raster.height;
  pasteTintedItem(canvas, raster, left, top, randomItemTint(rng, [0.4, 1]), opacity);
}
