// A class map drawn over its image: upsampled bilinearly, coloured with a colormap, alpha-blended.
import { colormapTable, turbo, type Colormap } from './colormap.js';
import { resizeBilinear } from './resizeBilinear.js';

/** An 8-bit RGB image, interleaved, row-major (height × width × 3). */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** A single-channel map (row-major h × w), e.g. one class map of the network. */
export interface ScoreMap {
  data: ArrayLike<number>;
  h: number;
  w: number;
}

export interface HeatmapOverlayOptions {
  /** Map values shown as the colormap's ends; default the map's own min and max. */
  range?: [number, number];
  /** Opacity of the heatmap over the image, in [0, 1]. Default 0.5. */
  alpha?: number;
  colormap?: Colormap;
}

/** The smallest and largest finite value of a map ([0, 0] when none is finite). */
export function mapRange(...maps: ArrayLike<number>[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const m of maps) {
    for (let i = 0; i < m.length; i++) {
      const v = m[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 0];
}

/**
 * Blends `map`, stretched over the whole image (cell (i, j) covers image columns
 * [j·W/w, (j+1)·W/w), as the network saw the image resized to a square), onto `image`:
 * out = (1 − alpha)·image + alpha·colormap((v − lo)/(hi − lo)). A flat map (hi = lo) takes the
 * colormap's middle colour.
 * @example const out = overlayHeatmap(img, { data: classMap, h: 12, w: 12 }, { alpha: 0.5 });
 */
export function overlayHeatmap(image: RgbImage, map: ScoreMap, opts: HeatmapOverlayOptions = {}): RgbImage {
  const { width, height } = image;
  if (image.data.length !== width * height * 3) {
    throw new RangeError(`overlayHeatmap: image data has ${image.data.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  }
  const alpha = opts.alpha ?? 0.5;
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`overlayHeatmap: alpha must be in [0, 1], got ${alpha}`);
  const [lo, hi] = opts.range ?? mapRange(map.data);
  const levels = 256;
  const lut = colormapTable(opts.colormap ?? turbo, levels);
  const up = resizeBilinear(map.data, map.h, map.w, height, width);
  const span = hi - lo;
  const out = new Uint8Array(image.data.length);
  for (let p = 0; p < width * height; p++) {
    const t = span > 0 ? (up[p]! - lo) / span : 0.5;
    const k = 3 * Math.round((levels - 1) * (t > 0 ? (t < 1 ? t : 1) : 0));
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round((1 - alpha) * image.data[3 * p + c]! + alpha * lut[k + c]!);
  }
  return { data: out, width, height };
}
