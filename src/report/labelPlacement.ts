// Where to put the name labels of ground-truth boxes so that they stay inside the picture and
// do not cover each other (greedy: the first free spot among a few around each box).
import type { PixelBox } from '../data/box.js';

export interface LabelRequest {
  /** Box in picture pixels (half-open). */
  box: PixelBox;
  text: string;
}

export interface PlacedLabel {
  /** Top-left corner in picture pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Approximate label size for the report's 10.5-px bold label font. */
export function labelSize(text: string): { width: number; height: number } {
  return { width: 6.6 * [...text].length + 8, height: 16 };
}

/**
 * Places one label per box, in order: above the box's top-left corner, else just inside it,
 * else above its top-right corner, under the box, or inside its bottom-left corner — the first
 * of these that lies in the picture and overlaps no label placed before (else the first one).
 */
export function placeLabels(requests: readonly LabelRequest[], width: number, height: number): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  for (const r of requests) {
    const { width: w, height: h } = labelSize(r.text);
    const b = r.box;
    const clamp = (x: number, y: number): PlacedLabel => ({
      x: Math.max(0, Math.min(width - w, x)),
      y: Math.max(0, Math.min(height - h, y)),
      width: w,
      height: h,
    });
    const fits = (x: number, y: number): boolean => x >= 0 && y >= 0 && x + w <= width && y + h <= height;
    const candidates: Array<[number, number]> = [[b.x0, b.y0 - h], [b.x0, b.y0], [b.x1 - w, b.y0 - h], [b.x0, b.y1], [b.x0, b.y1 - h], [b.x1 - w, b.y0]];
    const free = (p: PlacedLabel): boolean => placed.every((q) => p.x + p.width <= q.x || q.x + q.width <= p.x || p.y + p.height <= q.y || q.y + q.height <= p.y);
    let choice: PlacedLabel | undefined;
    for (const [x, y] of candidates) {
      if (!fits(x, y)) continue;
      const p = clamp(x, y);
      if (free(p)) {
        choice = p;
        break;
      }
    }
    if (!choice) {
      for (const [x, y] of candidates) {
        const p = clamp(x, y);
        if (free(p)) {
          choice = p;
          break;
        }
      }
    }
    placed.push(choice ?? clamp(b.x0, b.y0 - h));
  }
  return placed;
}
