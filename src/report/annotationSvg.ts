// Vector annotations drawn over a picture (composited with sharp): ground-truth boxes, the
// regions a pooling selected (outlined on the map's cell grid), and the predicted peak point.
import type { PixelBox } from '../data/box.js';

/** A box to draw: a PixelBox in picture pixels (half-open: [x0, x1) × [y0, y1)) and its style. */
export interface DrawBox extends PixelBox {
  /** CSS colour; default white. */
  color?: string;
  /** Dashed outline (e.g. VOC 'difficult' objects). */
  dashed?: boolean;
}

/** Sets of cells of an h × w grid, as flat indices i·w + j. */
export interface CellSets {
  h: number;
  w: number;
  /** Positive evidence (the k⁺ highest regions). */
  positive?: ArrayLike<number>;
  /** Negative evidence (the k⁻ lowest regions). */
  negative?: ArrayLike<number>;
}

export interface AnnotationSvgOptions {
  width: number;
  height: number;
  boxes?: DrawBox[];
  cells?: CellSets;
  /** Predicted point in continuous picture coordinates (the centre of pixel (i, j) is (i + 0.5, j + 0.5)). */
  peak?: { x: number; y: number };
  /** Outline colours of positive / negative regions. */
  positiveColor?: string;
  negativeColor?: string;
}

export const POSITIVE_COLOR = '#00e25b';
export const NEGATIVE_COLOR = '#ff2d55';

const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/**
 * An SVG document of the picture's size with the annotations. Selected cells are drawn as the
 * outline of their union (thick) plus their individual cell borders (thin), so both the shape
 * of the evidence and the number of regions can be read; a cell the grid stretches over the
 * picture covers [j·W/w, (j+1)·W/w) × [i·H/h, (i+1)·H/h), as the network saw the image.
 */
export function annotationSvg(opts: AnnotationSvgOptions): string {
  const { width: W, height: H } = opts;
  if (!(W > 0 && H > 0)) throw new RangeError(`annotationSvg: width and height must be > 0, got ${W}×${H}`);
  const parts: string[] = [];
  const c = opts.cells;
  if (c) {
    if (c.negative && c.negative.length > 0) parts.push(cellOutline(c.h, c.w, c.negative, W, H, opts.negativeColor ?? NEGATIVE_COLOR, 'negative'));
    if (c.positive && c.positive.length > 0) parts.push(cellOutline(c.h, c.w, c.positive, W, H, opts.positiveColor ?? POSITIVE_COLOR, 'positive'));
  }
  for (const b of opts.boxes ?? []) {
    const x = num(b.x0 + 1);
    const y = num(b.y0 + 1);
    const w = num(Math.max(0, b.x1 - b.x0 - 2));
    const h = num(Math.max(0, b.y1 - b.y0 - 2));
    const dash = b.dashed ? ' stroke-dasharray="5 3"' : '';
    parts.push(
      `<g class="box"><rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#000" stroke-opacity="0.6" stroke-width="4"${dash}/>` +
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${b.color ?? '#fff'}" stroke-width="2"${dash}/></g>`,
    );
  }
  if (opts.peak) {
    const { x: px, y: py } = opts.peak;
    const x = num(px);
    const y = num(py);
    const r = Math.max(5, Math.min(W, H) / 28);
    const cross = `M${num(px - r * 1.9)} ${y}h${num(2 * r * 1.9)}M${x} ${num(py - r * 1.9)}v${num(2 * r * 1.9)}`;
    parts.push(
      `<g class="peak"><path d="${cross}" stroke="#000" stroke-width="4"/><circle cx="${x}" cy="${y}" r="${num(r)}" fill="none" stroke="#000" stroke-width="4.5"/>` +
        `<path d="${cross}" stroke="#fff" stroke-width="2"/><circle cx="${x}" cy="${y}" r="${num(r)}" fill="none" stroke="#fff" stroke-width="2.2"/></g>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

/** Thin borders of every cell in `cells`, and a thick outline of their union. */
function cellOutline(h: number, w: number, cells: ArrayLike<number>, W: number, H: number, color: string, cls: string): string {
  const inSet = new Uint8Array(h * w);
  for (let k = 0; k < cells.length; k++) {
    const i = cells[k]!;
    if (!(Number.isInteger(i) && i >= 0 && i < h * w)) throw new RangeError(`annotationSvg: cell index ${i} outside the ${h}×${w} grid`);
    inSet[i] = 1;
  }
  const cx = (j: number): string => num((j * W) / w);
  const cy = (i: number): string => num((i * H) / h);
  let thin = '';
  let thick = '';
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      if (!inSet[i * w + j]) continue;
      thin += `M${cx(j)} ${cy(i)}H${cx(j + 1)}V${cy(i + 1)}H${cx(j)}Z`;
      // An edge belongs to the union's outline when the cell across it is not selected.
      if (i === 0 || !inSet[(i - 1) * w + j]) thick += `M${cx(j)} ${cy(i)}H${cx(j + 1)}`;
      if (i === h - 1 || !inSet[(i + 1) * w + j]) thick += `M${cx(j)} ${cy(i + 1)}H${cx(j + 1)}`;
      if (j === 0 || !inSet[i * w + j - 1]) thick += `M${cx(j)} ${cy(i)}V${cy(i + 1)}`;
      if (j === w - 1 || !inSet[i * w + j + 1]) thick += `M${cx(j + 1)} ${cy(i)}V${cy(i + 1)}`;
    }
  }
  return (
    `<g class="${cls}" fill="none" stroke-linecap="square">` +
    `<path d="${thin}" stroke="${color}" stroke-opacity="0.55" stroke-width="1"/>` +
    `<path d="${thick}" stroke="#000" stroke-opacity="0.5" stroke-width="4"/>` +
    `<path d="${thick}" stroke="${color}" stroke-width="2.2"/></g>`
  );
}
