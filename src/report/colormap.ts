// Colormaps for heatmaps: value in [0, 1] → 8-bit RGB.

/** An RGB colour, each channel 0..255. */
export type Rgb8 = [number, number, number];

/** A colormap: t in [0, 1] (clamped; NaN counts as 0) → RGB bytes. */
export type Colormap = (t: number) => Rgb8;

export type ColormapName = 'turbo' | 'jet';

/**
 * Turbo (Mikhailov, Google 2019): a rainbow map with perceptually smooth lightness, dark blue →
 * cyan → green → yellow → red → dark red. Sampled here at 17 evenly spaced stops (t = k/16) of
 * the published 256-entry table and interpolated linearly; the largest deviation from the full
 * table is 6.5/255 on one channel.
 */
const TURBO_STOPS: readonly Rgb8[] = [
  [48, 18, 59], [64, 64, 161], [70, 107, 227], [66, 147, 255], [41, 187, 236], [24, 220, 195],
  [49, 242, 153], [107, 253, 100], [163, 253, 60], [204, 237, 52], [237, 208, 58], [253, 174, 53],
  [251, 128, 34], [236, 82, 15], [210, 49, 5], [172, 23, 1], [122, 4, 3],
];

function clamp01(t: number): number {
  return t > 0 ? (t < 1 ? t : 1) : 0;
}

/** Piecewise-linear colormap through evenly spaced stops. */
export function stopsColormap(stops: readonly Rgb8[]): Colormap {
  if (stops.length < 2) throw new RangeError(`stopsColormap: need at least 2 stops, got ${stops.length}`);
  const last = stops.length - 1;
  return (t) => {
    const x = clamp01(t) * last;
    const k = Math.min(last - 1, Math.floor(x));
    const f = x - k;
    const a = stops[k]!;
    const b = stops[k + 1]!;
    return [
      Math.round(a[0] + (b[0] - a[0]) * f),
      Math.round(a[1] + (b[1] - a[1]) * f),
      Math.round(a[2] + (b[2] - a[2]) * f),
    ];
  };
}

/** Turbo; see {@link TURBO_STOPS}. turbo(0) = (48, 18, 59), turbo(1) = (122, 4, 3). */
export const turbo: Colormap = stopsColormap(TURBO_STOPS);

/**
 * Jet (MATLAB / matplotlib's piecewise-linear definition): each channel is
 * clamp(1.5 − |4t − c|) with c = 3 (red), 2 (green), 1 (blue).
 * jet(0) = (0, 0, 128), jet(0.5) = (128, 255, 128), jet(1) = (128, 0, 0).
 */
export const jet: Colormap = (t) => {
  const x = 4 * clamp01(t);
  const ch = (c: number): number => Math.round(255 * clamp01(1.5 - Math.abs(x - c)));
  return [ch(3), ch(2), ch(1)];
};

export function colormapByName(name: string): Colormap {
  switch (name) {
    case 'turbo':
      return turbo;
    case 'jet':
      return jet;
    default:
      throw new RangeError(`unknown colormap '${name}'; expected turbo or jet`);
  }
}

/**
 * The colormap tabulated at n evenly spaced values (entry i is cmap(i / (n − 1))), as
 * interleaved RGB bytes, for fast per-pixel lookup.
 */
export function colormapTable(cmap: Colormap, n = 256): Uint8Array {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`colormapTable: n must be an integer ≥ 2, got ${n}`);
  const out = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) out.set(cmap(i / (n - 1)), 3 * i);
  return out;
}

/** CSS colour `rgb(r g b)` of cmap(t). */
export function cssColor(cmap: Colormap, t: number): string {
  const [r, g, b] = cmap(t);
  return `rgb(${r} ${g} ${b})`;
}
