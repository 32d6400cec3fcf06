/**
 * Multi-octave value noise ("fractal" noise): random values on a coarse lattice, smoothly
 * interpolated, summed over octaves of doubling frequency and decaying amplitude. A cheap stand-in
 * for the soft, irregular textures of real backgrounds (foliage, walls, fabric out of focus).
 */
import type { Rng } from './random.js';

export interface ValueNoiseOptions {
  /** Lattice cells across the larger side at the coarsest octave (≥ 1). */
  cells: number;
  /** Octaves summed (≥ 1); octave o has 2^o times the cells. */
  octaves: number;
  /** Amplitude ratio between successive octaves, in (0, 1]. */
  persistence: number;
}

/**
 * A `width×height` noise field (row-major), normalized to [0, 1] (min 0, max 1 unless constant).
 * Each octave interpolates its lattice with smoothstep weights (no grid-aligned creases).
 * @example const n = valueNoise(rng, 96, 96, { cells: 3, octaves: 4, persistence: 0.55 });
 */
export function valueNoise(rng: Rng, width: number, height: number, opts: ValueNoiseOptions): Float32Array {
  const out = new Float32Array(width * height);
  const side = Math.max(width, height);
  let amplitude = 1;
  let cells = Math.max(1, Math.round(opts.cells));
  const octaves = Math.max(1, Math.round(opts.octaves));
  const ix = new Int32Array(width);
  const wx = new Float32Array(width);
  for (let o = 0; o < octaves; o++) {
    const gw = Math.ceil((cells * width) / side) + 1;
    const gh = Math.ceil((cells * height) / side) + 1;
    const grid = new Float32Array(gw * gh);
    for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
    const step = side / cells;
    for (let x = 0; x < width; x++) {
      const g = x / step;
      const i = Math.min(gw - 2, Math.floor(g));
      const t = g - i;
      ix[x] = i;
      wx[x] = t * t * (3 - 2 * t);
    }
    for (let y = 0; y < height; y++) {
      const g = y / step;
      const j = Math.min(gh - 2, Math.floor(g));
      const t = g - j;
      const wy = t * t * (3 - 2 * t);
      const r0 = j * gw;
      const r1 = r0 + gw;
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const i = ix[x]!;
        const a = grid[r0 + i]! + (grid[r0 + i + 1]! - grid[r0 + i]!) * wx[x]!;
        const b = grid[r1 + i]! + (grid[r1 + i + 1]! - grid[r1 + i]!) * wx[x]!;
        out[row + x] = out[row + x]! + amplitude * (a + (b - a) * wy);
      }
    }
    amplitude *= opts.persistence;
    cells *= 2;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  for (let i = 0; i < out.length; i++) out[i] = span > 0 ? (out[i]! - lo) / span : 0.5;
  return out;
}
