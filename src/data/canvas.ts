/**
 * The float RGB canvas on which synthetic images are composed, and its conversions.
 *
 * Planar (CHW) Float32 values in [0, 1] (values outside are clamped on conversion), which is both
 * the layout networks consume and a cheap one to blend into.
 */

export interface RgbCanvas {
  readonly width: number;
  readonly height: number;
  /** 3 planes of `height×width`: R, G, B. */
  readonly data: Float32Array;
}

export type Rgb = readonly [number, number, number];

/** ImageNet channel statistics, the default normalization everywhere in `src/data`. */
export const IMAGENET_MEAN: Rgb = [0.485, 0.456, 0.406];
export const IMAGENET_STD: Rgb = [0.229, 0.224, 0.225];

export function createCanvas(width: number, height: number): RgbCanvas {
  return { width, height, data: new Float32Array(3 * width * height) };
}

/** Fills the canvas with one colour. */
export function fillCanvas(canvas: RgbCanvas, colour: Rgb): void {
  const n = canvas.width * canvas.height;
  for (let c = 0; c < 3; c++) canvas.data.fill(colour[c]!, c * n, (c + 1) * n);
}

/** HSV (all in [0, 1]) to RGB in [0, 1]. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const hh = ((h % 1) + 1) % 1 * 6;
  const i = Math.floor(hh);
  const f = hh - i;
  const p = v * (1 - s);
  const q = v * (1 - s * f);
  const t = v * (1 - s * (1 - f));
  switch (i) {
    case 0: return [v, t, p];
    case 1: return [q, v, p];
    case 2: return [p, v, t];
    case 3: return [p, q, v];
    case 4: return [t, p, v];
    default: return [v, p, q];
  }
}

/** Interleaved (HWC) 8-bit RGB, rounded and clamped: what image encoders take. */
export function canvasToRgbBytes(canvas: RgbCanvas): Uint8Array {
  const n = canvas.width * canvas.height;
  const out = new Uint8Array(3 * n);
  const d = canvas.data;
  for (let c = 0; c < 3; c++) {
    const base = c * n;
    for (let i = 0; i < n; i++) {
      const v = d[base + i]! * 255 + 0.5;
      out[3 * i + c] = v <= 0 ? 0 : v >= 255 ? 255 : v;
    }
  }
  return out;
}

/**
 * Writes the canvas normalized as `(clamp(v) - mean) / std` per channel into `out` at `offset`
 * (CHW, 3·H·W values), quantized to 8 bits first so in-memory images match decoded files.
 */
export function canvasToNormalized(
  canvas: RgbCanvas, out: Float32Array, offset = 0, mean: Rgb = IMAGENET_MEAN, std: Rgb = IMAGENET_STD,
): void {
  const n = canvas.width * canvas.height;
  const d = canvas.data;
  const lut = new Float32Array(256);
  for (let c = 0; c < 3; c++) {
    for (let q = 0; q < 256; q++) lut[q] = (q / 255 - mean[c]!) / std[c]!;
    const base = c * n;
    for (let i = 0; i < n; i++) {
      const v = d[base + i]! * 255 + 0.5;
      out[offset + base + i] = lut[v <= 0 ? 0 : v >= 255 ? 255 : v | 0]!;
    }
  }
}
