/**
 * The one box type of wildcat-ts, and the one conversion, to and from VOC's `bndbox`.
 *
 * Inside wildcat-ts (datasets, evaluation, heatmap boxes, the report) a box is 0-based and
 * half-open: it covers pixels x0 ≤ x < x1, y0 ≤ y < y1, so its width is x1 − x0. Coordinates may
 * be fractional where a box is scaled (a heatmap cell, a picture of another size). VOC files write
 * 1-based inclusive pixel indices: xmin is the first pixel column counted from 1 and xmax the last
 * one. Hence x0 = xmin − 1 and x1 = xmax (same for y); only the VOC reader and writer convert.
 *
 * @example
 * fromVocBndbox({ xmin: 1, ymin: 1, xmax: 10, ymax: 5 }) // { x0: 0, y0: 0, x1: 10, y1: 5 }: 10×5 pixels
 */

/** 0-based, half-open pixel box: pixels x0 ≤ x < x1, y0 ≤ y < y1. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** VOC `bndbox`: 1-based, inclusive pixel indices (as written in the XML). */
export interface VocBndbox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export function fromVocBndbox(b: VocBndbox): PixelBox {
  return { x0: b.xmin - 1, y0: b.ymin - 1, x1: b.xmax, y1: b.ymax };
}

export function toVocBndbox(b: PixelBox): VocBndbox {
  return { xmin: b.x0 + 1, ymin: b.y0 + 1, xmax: b.x1, ymax: b.y1 };
}

/** Tight box of the pixels where `mask[y*width+x] === value`, or null when there is none. */
export function maskBox(mask: Uint8Array, width: number, height: number, value: number): PixelBox | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] !== value) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}
