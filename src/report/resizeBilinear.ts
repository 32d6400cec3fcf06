// Bilinear resampling of a single-channel map, with the geometry of PyTorch's
// interpolate(mode 'bilinear', align_corners false) — the one the localization points use — so a
// heatmap drawn over the image peaks where the evaluated point is.

/**
 * Resamples `map` (row-major h × w) to outH × outW. Output pixel (x, y) samples the input at
 * ((x + 0.5)·w/outW − 0.5, (y + 0.5)·h/outH − 0.5), clamped at the borders: the map's cells
 * are stretched over the whole output, cell (i, j) covering output columns [j·outW/w, (j+1)·outW/w).
 * @example resizeBilinear(Float32Array.of(0, 1), 1, 2, 1, 4); // [0, 0.25, 0.75, 1]
 */
export function resizeBilinear(map: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float32Array {
  for (const [name, v] of [['h', h], ['w', w], ['outH', outH], ['outW', outW]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`resizeBilinear: ${name} must be a positive integer, got ${v}`);
  }
  if (map.length !== h * w) throw new RangeError(`resizeBilinear: map has ${map.length} values, expected h·w = ${h}·${w} = ${h * w}`);
  const xs = sourceIndex(w, outW);
  const ys = sourceIndex(h, outH);
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const y0 = ys.i0[y]!;
    const y1 = ys.i1[y]!;
    const fy = ys.f[y]!;
    for (let x = 0; x < outW; x++) {
      const x0 = xs.i0[x]!;
      const x1 = xs.i1[x]!;
      const fx = xs.f[x]!;
      const top = map[y0 * w + x0]! * (1 - fx) + map[y0 * w + x1]! * fx;
      const bottom = map[y1 * w + x0]! * (1 - fx) + map[y1 * w + x1]! * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

function sourceIndex(n: number, outN: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(outN);
  const i1 = new Int32Array(outN);
  const f = new Float32Array(outN);
  const scale = n / outN;
  for (let o = 0; o < outN; o++) {
    const s = Math.max(0, (o + 0.5) * scale - 0.5);
    const lo = Math.min(n - 1, Math.floor(s));
    i0[o] = lo;
    i1[o] = Math.min(n - 1, lo + 1);
    f[o] = lo === n - 1 ? 0 : s - lo;
  }
  return { i0, i1, f };
}
