// SLIC superpixels (Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel
// Methods", TPAMI 2012): k-means in (CIELAB colour, position) restricted to a 2S × 2S window
// around each centre, S = sqrt(N / K) the grid interval, distance
//   D² = d_lab² + (d_xy / S)² · m²   (m: compactness),
// centres seeded on a regular grid and moved to the lowest colour gradient of their 3 × 3
// neighbourhood, a fixed number of iterations, then connectivity enforced: every connected
// component becomes its own superpixel, and components smaller than S²/4 join a neighbour.
// Written from the paper for Pinheiro & Collobert's SP-spxl smoothing (CVPR 2015 §3.2.1).
import { expectInteger, expectNumber } from '../core/index.js';
import { checkRawImage, type RawImage } from './rawImage.js';

export interface SlicOptions {
  /** K, the number of superpixels aimed at (the result has about that many). */
  superpixels: number;
  /** m, the weight of position against colour (CIELAB units); the paper's default is 10. */
  compactness: number;
  /** k-means iterations; the paper finds 10 enough. */
  iterations: number;
}

export const DEFAULT_SLIC: Readonly<SlicOptions> = Object.freeze({ superpixels: 400, compactness: 10, iterations: 10 });

export interface Superpixels {
  /** [H·W] superpixel index of every pixel, 0 … count − 1, each superpixel connected. */
  labels: Int32Array;
  count: number;
}

/**
 * Over-segments `image` into about `superpixels` compact, colour-coherent, connected regions.
 * Grey images cluster on lightness alone. Deterministic.
 * @example const { labels, count } = slic({ data: rgb, width: 192, height: 192, channels: 3 }, { superpixels: 400 });
 */
export function slic(image: RawImage, options: Partial<SlicOptions> = {}): Superpixels {
  const where = 'slic()';
  checkRawImage(where, image);
  const o = { ...DEFAULT_SLIC, ...options };
  expectInteger(`option superpixels of ${where}`, o.superpixels, { min: 1 });
  expectNumber(`option compactness of ${where}`, o.compactness, { above: 0 });
  expectInteger(`option iterations of ${where}`, o.iterations, { min: 1 });
  const { width: W, height: H } = image;
  const N = W * H;
  const lab = toLab(image);
  const S = Math.max(1, Math.sqrt(N / o.superpixels));

  // Seeds on a regular grid, moved to the lowest gradient of their 3 × 3 neighbourhood.
  const nx = Math.max(1, Math.round(W / S));
  const ny = Math.max(1, Math.round(H / S));
  const K = nx * ny;
  const cl = new Float64Array(K);
  const ca = new Float64Array(K);
  const cb = new Float64Array(K);
  const cx = new Float64Array(K);
  const cy = new Float64Array(K);
  const gradient = (x: number, y: number): number => {
    const x0 = Math.max(0, x - 1);
    const x1 = Math.min(W - 1, x + 1);
    const y0 = Math.max(0, y - 1);
    const y1 = Math.min(H - 1, y + 1);
    let g = 0;
    for (let c = 0; c < 3; c++) {
      const dx = lab[c * N + y * W + x1]! - lab[c * N + y * W + x0]!;
      const dy = lab[c * N + y1 * W + x]! - lab[c * N + y0 * W + x]!;
      g += dx * dx + dy * dy;
    }
    return g;
  };
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      let bx = Math.min(W - 1, Math.floor(((i + 0.5) * W) / nx));
      let by = Math.min(H - 1, Math.floor(((j + 0.5) * H) / ny));
      let bg = gradient(bx, by);
      const x0 = bx;
      const y0 = by;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = x0 + dx;
          const y = y0 + dy;
          if (x < 0 || y < 0 || x >= W || y >= H) continue;
          const g = gradient(x, y);
          if (g < bg) {
            bg = g;
            bx = x;
            by = y;
          }
        }
      }
      const p = by * W + bx;
      cl[k] = lab[p]!;
      ca[k] = lab[N + p]!;
      cb[k] = lab[2 * N + p]!;
      cx[k] = bx;
      cy[k] = by;
    }
  }

  // Local k-means.
  const assign = new Int32Array(N).fill(-1);
  const dist = new Float64Array(N);
  const spatial = (o.compactness / S) ** 2;
  const win = Math.ceil(S);
  const sum = new Float64Array(5 * K);
  const cnt = new Float64Array(K);
  for (let it = 0; it < o.iterations; it++) {
    dist.fill(Infinity);
    for (let k = 0; k < K; k++) {
      const x0 = Math.max(0, Math.floor(cx[k]! - win));
      const x1 = Math.min(W - 1, Math.ceil(cx[k]! + win));
      const y0 = Math.max(0, Math.floor(cy[k]! - win));
      const y1 = Math.min(H - 1, Math.ceil(cy[k]! + win));
      for (let y = y0; y <= y1; y++) {
        const dy = y - cy[k]!;
        for (let x = x0; x <= x1; x++) {
          const p = y * W + x;
          const dl = lab[p]! - cl[k]!;
          const da = lab[N + p]! - ca[k]!;
          const db = lab[2 * N + p]! - cb[k]!;
          const dx = x - cx[k]!;
          const d = dl * dl + da * da + db * db + (dx * dx + dy * dy) * spatial;
          if (d < dist[p]!) {
            dist[p] = d;
            assign[p] = k;
          }
        }
      }
    }
    sum.fill(0);
    cnt.fill(0);
    for (let p = 0; p < N; p++) {
      const k = assign[p]!;
      if (k < 0) continue;
      sum[5 * k]! += lab[p]!;
      sum[5 * k + 1]! += lab[N + p]!;
      sum[5 * k + 2]! += lab[2 * N + p]!;
      sum[5 * k + 3]! += p % W;
      sum[5 * k + 4]! += Math.floor(p / W);
      cnt[k]! += 1;
    }
    for (let k = 0; k < K; k++) {
      const c = cnt[k]!;
      if (c === 0) continue;
      cl[k] = sum[5 * k]! / c;
      ca[k] = sum[5 * k + 1]! / c;
      cb[k] = sum[5 * k + 2]! / c;
      cx[k] = sum[5 * k + 3]! / c;
      cy[k] = sum[5 * k + 4]! / c;
    }
  }
  return enforceConnectivity(assign, W, H, Math.max(1, Math.floor((S * S) / 4)));
}

/**
 * Relabels connected components (4-connectivity) of `assign` as superpixels; a component
 * smaller than `minSize` joins the superpixel of an already-labelled neighbour (the one left of
 * or above its first pixel in scan order), as in the paper's implementation.
 */
function enforceConnectivity(assign: Int32Array, W: number, H: number, minSize: number): Superpixels {
  const N = W * H;
  const out = new Int32Array(N).fill(-1);
  const stack = new Int32Array(N);
  const component = new Int32Array(N);
  let count = 0;
  for (let start = 0; start < N; start++) {
    if (out[start]! >= 0) continue;
    const old = assign[start]!;
    // A labelled neighbour of the component's first pixel (scan order: left or above).
    let adjacent = -1;
    if (start % W > 0 && out[start - 1]! >= 0) adjacent = out[start - 1]!;
    else if (start >= W && out[start - W]! >= 0) adjacent = out[start - W]!;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    out[start] = count;
    while (top > 0) {
      const p = stack[--top]!;
      component[size++] = p;
      const x = p % W;
      for (let d = 0; d < 4; d++) {
        const q = d === 0 ? (x > 0 ? p - 1 : -1) : d === 1 ? (x < W - 1 ? p + 1 : -1) : d === 2 ? p - W : p + W;
        if (q < 0 || q >= N || out[q]! >= 0 || assign[q] !== old) continue;
        out[q] = count;
        stack[top++] = q;
      }
    }
    if (size < minSize && adjacent >= 0) {
      for (let j = 0; j < size; j++) out[component[j]!] = adjacent;
    } else {
      count++;
    }
  }
  return { labels: out, count };
}

/** CIELAB (D65) planes [3, H, W] of an 8-bit sRGB or grey image. */
function toLab(image: RawImage): Float64Array {
  const { width: W, height: H, channels, data } = image;
  const N = W * H;
  const lab = new Float64Array(3 * N);
  const lin = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const s = v / 255;
    lin[v] = s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }
  const f = (t: number): number => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  for (let p = 0; p < N; p++) {
    const r = lin[data[p * channels]!]!;
    const g = channels === 3 ? lin[data[p * channels + 1]!]! : r;
    const b = channels === 3 ? lin[data[p * channels + 2]!]! : r;
    const X = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
    const Y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
    const Z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
    const fx = f(X);
    const fy = f(Y);
    const fz = f(Z);
    lab[p] = 116 * fy - 16;
    lab[N + p] = channels === 3 ? 500 * (fx - fy) : 0;
    lab[2 * N + p] = channels === 3 ? 200 * (fy - fz) : 0;
  }
  return lab;
}
