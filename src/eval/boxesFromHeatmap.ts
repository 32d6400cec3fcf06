import type { PixelBox } from '../data/box.js';
import { expectNumber, expectOneOf } from '../core/errors.js';
import { checkFinite, checkInteger } from './validate.js';

/**
 * A box found in a heatmap: a PixelBox (0-based, half-open; see data/box.ts) in image pixels,
 * fractional when a map cell covers a fractional number of pixels.
 */
export interface HeatmapBox extends PixelBox {
  /** Highest map value inside the component. */
  score: number;
  /** Number of map cells in the component. */
  area: number;
  /** The same box in map cells (half-open: columns x0 ≤ c < x1, rows y0 ≤ r < y1). */
  cells: PixelBox;
}

/** Options of {@link boxesFromHeatmap}. */
export interface BoxesFromHeatmapOptions {
  /** Map width (columns) and height (rows); the map is row-major [height × width]. */
  width: number;
  height: number;
  /**
   * Map → image scale: image pixels per map cell, one number or `{x, y}`.
   * Alternatively give `imageWidth`/`imageHeight` and the scale is
   * imageWidth / width and imageHeight / height. Default 1 (map coordinates).
   */
  scale?: number | { x: number; y: number };
  imageWidth?: number;
  imageHeight?: number;
  /**
   * Threshold as a fraction in [0, 1], default 0.2 (the 20 % of CAM, Zhou et
   * al. 2016). Cells with value ≥ the threshold value are kept.
   */
  threshold?: number;
  /**
   * What the fraction refers to:
   * - `'max'` (default): threshold value = threshold · max. Meant for
   *   non-negative maps; if max ≤ 0 there is no positive evidence and no box.
   * - `'range'`: threshold value = min + threshold · (max − min), for signed
   *   maps (WILDCAT class maps are unbounded scores).
   */
  relativeTo?: 'max' | 'range';
  /** `'largest'` (default): only the component with most cells; `'all'`: every component. */
  mode?: 'largest' | 'all';
  /** Pixel connectivity of components: 8 (default, diagonals connect) or 4. */
  connectivity?: 4 | 8;
}

/**
 * Boxes from a class heatmap: threshold at a fraction of the map's maximum,
 * find connected components, return the bounding box of the largest one
 * (`mode: 'largest'`) or of every one (`mode: 'all'`).
 *
 * Coordinates: map cell (col j, row i) covers image region
 * [j·sx, (j+1)·sx) × [i·sy, (i+1)·sy), so a component spanning cell columns
 * c0..c1 gives the half-open box x0 = c0·sx, x1 = (c1+1)·sx (outer cell edges),
 * the same convention as every other box (data/box.ts).
 *
 * Order and ties: components are sorted by area (cells) descending, then peak
 * value descending, then raster order of their first cell — so `'largest'`
 * is deterministic. Returns [] when no cell passes the threshold.
 * Throws on NaN/infinite values or a map whose length is not width·height.
 *
 * @example
 * // 3×3 map, one hot 2×1 blob, each cell = 32 image pixels
 * boxesFromHeatmap([0, 0, 0, 0, 1, 0.8, 0, 0, 0], { width: 3, height: 3, scale: 32, threshold: 0.5 });
 * // [{ x0: 32, y0: 32, x1: 96, y1: 64, score: 1, area: 2, cells: {x0: 1, y0: 1, x1: 3, y1: 2} }]
 */
export function boxesFromHeatmap(map: ArrayLike<number>, opts: BoxesFromHeatmapOptions): HeatmapBox[] {
  const where = 'boxesFromHeatmap';
  const { width, height } = opts;
  checkInteger(where, 'width', width, 1);
  checkInteger(where, 'height', height, 1);
  if (map.length !== width * height) {
    throw new RangeError(
      `${where}: map has ${map.length} values but width × height = ${width} × ${height} = ${width * height}`,
    );
  }
  const threshold = expectNumber(`option threshold of ${where}()`, opts.threshold ?? 0.2, { min: 0, max: 1 });
  const relativeTo = expectOneOf(`option relativeTo of ${where}()`, opts.relativeTo ?? 'max', ['max', 'range']);
  const mode = expectOneOf(`option mode of ${where}()`, opts.mode ?? 'largest', ['largest', 'all']);
  const connectivity = expectOneOf(`option connectivity of ${where}()`, opts.connectivity ?? 8, [4, 8]);
  const [sx, sy] = mapToImageScale(where, opts);

  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new (typeof v === 'number' ? RangeError : TypeError)(`${where}: map[${i}] (row ${Math.floor(i / width)}, col ${i % width}) is ${String(v)}; expected a finite number`);
    }
    if (v > max) max = v;
    if (v < min) min = v;
  }
  let cut: number;
  if (relativeTo === 'max') {
    if (!(max > 0)) return [];
    cut = threshold * max;
  } else {
    cut = max === min ? min : min + threshold * (max - min);
  }

  const n = width * height;
  const label = new Int32Array(n).fill(-1); // component id, -1 = unvisited or below threshold
  const queue = new Int32Array(n);
  const found: (HeatmapBox & { first: number })[] = [];
  for (let start = 0; start < n; start++) {
    if (label[start] !== -1 || !(map[start]! >= cut)) continue;
    const id = found.length;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    label[start] = id;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    let peak = -Infinity;
    while (head < tail) {
      const k = queue[head++]!;
      const r = Math.floor(k / width);
      const c = k - r * width;
      if (c < x0) x0 = c;
      if (c > x1) x1 = c;
      if (r < y0) y0 = r;
      if (r > y1) y1 = r;
      if (map[k]! > peak) peak = map[k]!;
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= height) continue;
        for (let dc = -1; dc <= 1; dc++) {
          if (dr === 0 && dc === 0) continue;
          if (connectivity === 4 && dr !== 0 && dc !== 0) continue;
          const cc = c + dc;
          if (cc < 0 || cc >= width) continue;
          const kk = rr * width + cc;
          if (label[kk] !== -1 || !(map[kk]! >= cut)) continue;
          label[kk] = id;
          queue[tail++] = kk;
        }
      }
    }
    found.push({
      x0: x0 * sx,
      y0: y0 * sy,
      x1: (x1 + 1) * sx,
      y1: (y1 + 1) * sy,
      score: peak,
      area: tail,
      cells: { x0, y0, x1: x1 + 1, y1: y1 + 1 },
      first: start,
    });
  }
  found.sort((a, b) => b.area - a.area || b.score - a.score || a.first - b.first);
  const boxes = found.map(({ first: _first, ...box }) => box);
  return mode === 'largest' ? boxes.slice(0, 1) : boxes;
}

function mapToImageScale(where: string, opts: BoxesFromHeatmapOptions): [number, number] {
  const hasImageSize = opts.imageWidth !== undefined || opts.imageHeight !== undefined;
  if (hasImageSize && opts.scale !== undefined) {
    throw new TypeError(`${where}: give either scale or imageWidth/imageHeight, not both`);
  }
  let sx: number;
  let sy: number;
  if (hasImageSize) {
    if (opts.imageWidth === undefined || opts.imageHeight === undefined) {
      throw new TypeError(`${where}: give both imageWidth and imageHeight (got only one)`);
    }
    sx = opts.imageWidth / opts.width;
    sy = opts.imageHeight / opts.height;
  } else if (typeof opts.scale === 'number') {
    sx = sy = opts.scale;
  } else if (opts.scale !== undefined) {
    sx = opts.scale.x;
    sy = opts.scale.y;
  } else {
    sx = sy = 1;
  }
  checkFinite(where, 'scale x', sx);
  checkFinite(where, 'scale y', sy);
  if (sx <= 0 || sy <= 0) throw new RangeError(`${where}: map → image scale is (${sx}, ${sy}); expected > 0`);
  return [sx, sy];
}
