/**
 * Backgrounds of the style-diverse canvases (one per {@link BackgroundFamily}) and the clutter
 * fragments drawn over them. Everything is drawn from the given `Rng`, so a background is
 * reproducible from its seed.
 */
import type { GrayItemSet } from './fashionMnist.js';
import type { PixelBox } from './box.js';
import { fillCanvas, hsvToRgb, type Rgb, type RgbCanvas } from './canvas.js';
import type { BackgroundFamily, CanvasStyle } from './canvasStyle.js';
import { drawClutter } from './clutter.js';
import type { Rng } from './random.js';
import { pasteTintedItem, resampleItem } from './tintedItem.js';
import { valueNoise } from './valueNoise.js';

/** Draws the style's background family over the whole canvas, then its clutter fragments. */
export function drawStyledBackground(canvas: RgbCanvas, rng: Rng, style: CanvasStyle, items: GrayItemSet): void {
  drawBackground(canvas, rng, style.background, items);
  for (let i = 0; i < style.fragments; i++) drawFragment(canvas, rng, items);
}

/** Draws one background family over the whole canvas (previous content replaced). */
export function drawBackground(canvas: RgbCanvas, rng: Rng, family: BackgroundFamily, items: GrayItemSet): void {
  switch (family) {
    case 'clutter':
      drawClutter(canvas, rng, null);
      return;
    case 'flat':
      fillCanvas(canvas, randomColour(rng));
      return;
    case 'gradient':
      drawGradient(canvas, rng);
      return;
    case 'noise':
      drawNoise(canvas, rng);
      return;
    case 'texture':
      drawItemTexture(canvas, rng, items);
      return;
    case 'mosaic':
      drawMosaic(canvas, rng);
      return;
    default:
      throw new RangeError(`unknown background family '${String(family)}'`);
  }
}

/** Mean HSV value (max of R, G, B, clamped to [0, 1]) of the canvas inside `box` (clipped). */
export function regionValue(canvas: RgbCanvas, box: PixelBox): number {
  const { width: W, height: H, data: d } = canvas;
  const n = W * H;
  const x0 = Math.max(0, box.x0);
  const x1 = Math.min(W, box.x1);
  const y0 = Math.max(0, box.y0);
  const y1 = Math.min(H, box.y1);
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = y * W + x;
      const v = Math.max(d[p]!, d[n + p]!, d[2 * n + p]!);
      sum += v < 0 ? 0 : v > 1 ? 1 : v;
      count++;
    }
  }
  return count > 0 ? sum / count : 0.5;
}

/** Any hue, saturation and brightness. */
function randomColour(rng: Rng): Rgb {
  return hsvToRgb(rng.next(), rng.next(), rng.next());
}

/** Two colours whose brightness differs by up to 0.5 around a random level. */
function colourPair(rng: Rng): [Rgb, Rgb] {
  const v = rng.next();
  const dv = rng.uniform(-0.5, 0.5);
  const a = hsvToRgb(rng.next(), rng.next(), v);
  const b = hsvToRgb(rng.next(), rng.next(), Math.min(1, Math.max(0, v + dv)));
  return [a, b];
}

/** Fills the canvas with lerp(a, b, t[p]) for a weight field t in [0, 1]. */
function blendField(canvas: RgbCanvas, a: Rgb, b: Rgb, t: Float32Array): void {
  const n = canvas.width * canvas.height;
  const d = canvas.data;
  for (let c = 0; c < 3; c++) {
    const lo = a[c]!;
    const span = b[c]! - lo;
    const base = c * n;
    for (let p = 0; p < n; p++) d[base + p] = lo + span * t[p]!;
  }
}

/** A linear gradient at a random angle (70%) or a radial one around a random centre (30%). */
function drawGradient(canvas: RgbCanvas, rng: Rng): void {
  const { width: W, height: H } = canvas;
  const [a, b] = colourPair(rng);
  const t = new Float32Array(W * H);
  if (rng.bool(0.7)) {
    const angle = rng.uniform(0, 2 * Math.PI);
    const cx = Math.cos(angle);
    const cy = Math.sin(angle);
    const lo = Math.min(0, cx * (W - 1)) + Math.min(0, cy * (H - 1));
    const span = Math.abs(cx) * (W - 1) + Math.abs(cy) * (H - 1) || 1;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) t[y * W + x] = (cx * x + cy * y - lo) / span;
  } else {
    const ox = rng.uniform(0, W);
    const oy = rng.uniform(0, H);
    const radius = rng.uniform(0.4, 1.2) * Math.max(W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) t[y * W + x] = Math.min(1, Math.hypot(x - ox, y - oy) / radius);
    }
  }
  blendField(canvas, a, b, t);
}

/** Multi-octave value noise between two colours (soft, irregular texture). */
function drawNoise(canvas: RgbCanvas, rng: Rng): void {
  const [a, b] = colourPair(rng);
  const t = valueNoise(rng, canvas.width, canvas.height, {
    cells: rng.intBetween(2, 6), octaves: rng.intBetween(2, 5), persistence: rng.uniform(0.35, 0.7),
  });
  blendField(canvas, a, b, t);
}

/**
 * A texture cut from another item: a crop of a random item, magnified 1.5–5× and tiled over the
 * canvas with mirrored repeats (no seams), between two colours.
 */
function drawItemTexture(canvas: RgbCanvas, rng: Rng, items: GrayItemSet): void {
  const { width: W, height: H } = canvas;
  const [a, b] = colourPair(rng);
  const index = rng.int(items.count);
  const cw = Math.max(3, Math.round(items.width * rng.uniform(0.25, 0.6)));
  const ch = Math.max(3, Math.round(items.height * rng.uniform(0.25, 0.6)));
  // Crops from the central part, where items have texture rather than empty margin.
  const cx0 = rng.intBetween(Math.floor(items.width * 0.15), Math.max(Math.floor(items.width * 0.15), Math.floor(items.width * 0.85) - cw));
  const cy0 = rng.intBetween(Math.floor(items.height * 0.1), Math.max(Math.floor(items.height * 0.1), Math.floor(items.height * 0.9) - ch));
  const scale = rng.uniform(1.5, 5);
  const tile = resampleItem(items, index, cw * scale, ch * scale, {
    flip: rng.bool(), crop: { x0: cx0, y0: cy0, x1: cx0 + cw, y1: cy0 + ch },
  });
  const ox = rng.int(tile.width);
  const oy = rng.int(tile.height);
  const t = new Float32Array(W * H);
  let lo = Infinity;
  let hi = -Infinity;
  for (let y = 0; y < H; y++) {
    const ty = mirror(y + oy, tile.height);
    for (let x = 0; x < W; x++) {
      const v = tile.gray[ty * tile.width + mirror(x + ox, tile.width)]!;
      t[y * W + x] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi - lo;
  for (let p = 0; p < t.length; p++) t[p] = span > 0 ? (t[p]! - lo) / span : 0.5;
  blendField(canvas, a, b, t);
}

/** Index into [0, n) of a mirrored repetition (…, n−1, 0 … n−1, n−1 … 0, 0 …). */
function mirror(i: number, n: number): number {
  const m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

/** Hard-edged Voronoi cells (6–40 seeds), each a colour near a common base hue and brightness. */
function drawMosaic(canvas: RgbCanvas, rng: Rng): void {
  const { width: W, height: H, data: d } = canvas;
  const n = W * H;
  const k = rng.intBetween(6, 40);
  const hue = rng.next();
  const value = rng.next();
  const sx = new Float32Array(k);
  const sy = new Float32Array(k);
  const colours: Rgb[] = [];
  for (let i = 0; i < k; i++) {
    sx[i] = rng.uniform(0, W);
    sy[i] = rng.uniform(0, H);
    colours.push(hsvToRgb(hue + rng.uniform(-0.15, 0.15), rng.next(), Math.min(1, Math.max(0, value + rng.uniform(-0.3, 0.3)))));
  }
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let best = 0;
      let bestD = Infinity;
      for (let i = 0; i < k; i++) {
        const dx = x - sx[i]!;
        const dy = y - sy[i]!;
        const dd = dx * dx + dy * dy;
        if (dd < bestD) {
          bestD = dd;
          best = i;
        }
      }
      const c = colours[best]!;
      const p = y * W + x;
      d[p] = c[0];
      d[n + p] = c[1];
      d[2 * n + p] = c[2];
    }
  }
}

/**
 * A clutter fragment: a random crop (20–55% of the side) of a random item, scaled 0.6–4.5× so
 * fragments come in several sizes, tinted any colour and pasted at 15–60% opacity anywhere
 * (clipped). Small crops keep fragments unrecognizable as items.
 */
function drawFragment(canvas: RgbCanvas, rng: Rng, items: GrayItemSet): void {
  const index = rng.int(items.count);
  const cw = items.width * rng.uniform(0.2, 0.55);
  const ch = items.height * rng.uniform(0.2, 0.55);
  const x0 = rng.uniform(0, items.width - cw);
  const y0 = rng.uniform(0, items.height - ch);
  const scale = rng.uniform(0.6, 4.5);
  const raster = resampleItem(items, index, cw * scale, ch * scale, {
    flip: rng.bool(), crop: { x0, y0, x1: x0 + cw, y1: y0 + ch },
  });
  const left = rng.int(canvas.width + raster.width) - raster.width;
  const top = rng.int(canvas.height + raster.height) - raster.height;
  pasteTintedItem(canvas, raster, left, top, { tint: randomColour(rng), shading: rng.uniform(0, 0.8) }, rng.uniform(0.15, 0.6));
}
