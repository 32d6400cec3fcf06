// Spatial pooling of class maps held in plain arrays: the engine's poolings (src/wsl) re-done in
// pure TypeScript, so the studio page can re-pool the maps the server sent while a slider moves
// (at inference the class maps do not depend on k⁺, k⁻, α or r: WILDCAT CVPR 2017 §3.3). Same
// semantics as the engine, checked against it on the reference cases (test/studio/mapPooling):
// k resolution by resolveWildcat / resolveK, the stable-sort tie rule, the halving convention and
// the exact β limits of log-mean-exp. No tensor import: this file is bundled into the page.
import { expectNumber, expectOneOf, outOfRange } from '../core/errors.js';
import { BETA_INFINITE, BETA_ZERO } from '../wsl/betaLimits.js';
import { resolveWildcat } from '../wsl/resolveWildcat.js';
import { GENERALIZED_DEFAULTS, LSE_DEFAULTS } from '../wsl/softPoolingDefaults.js';
import type { SpatialPooling } from '../wsl/spatialPooling.js';
import { evidencePlan } from '../report/evidenceRegions.js';

/** The regions a pooling selects on one map, as flat indices i·w + j. */
export interface MapEvidence {
  /** The k⁺ highest regions, highest first. */
  top: Int32Array;
  /** The k⁻ lowest regions, lowest first (empty when the min term is off). */
  bottom: Int32Array;
}

/**
 * The regions of a map in the order of a stable descending sort, as libtorch's
 * `sort(descending, stable)` gives them: higher values first, equal values by increasing index,
 * NaN before everything (libtorch sorts NaN as the largest value).
 */
export function descendingRegions(map: ArrayLike<number>): Int32Array {
  const n = map.length;
  const order = Array.from({ length: n }, (_, i) => i);
  // Array.prototype.sort is stable (ES2019), so equal values keep increasing indices.
  order.sort((a, b) => {
    const va = map[a]!;
    const vb = map[b]!;
    const na = Number.isNaN(va);
    const nb = Number.isNaN(vb);
    if (na || nb) return na === nb ? 0 : na ? -1 : 1;
    return va > vb ? -1 : va < vb ? 1 : 0;
  });
  return Int32Array.from(order);
}

/**
 * The score of one class map (n = h·w values) under a pooling, as `applySpatialPooling` computes
 * it on the engine (wildcatPool, globalMaxPool, globalAvgPool, lsePool, generalizedPool), in
 * float64, omitted options taking the engine's defaults (WILDCAT_DEFAULTS, LSE_DEFAULTS,
 * GENERALIZED_DEFAULTS). Throws the engine's errors for bad options (e.g. kmax ≤ 0).
 * @example poolClassMap(map, { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7 })
 */
export function poolClassMap(map: ArrayLike<number>, pooling: SpatialPooling): number {
  const n = map.length;
  if (n === 0) throw outOfRange('the class map of poolClassMap()', 'at least one region', 'an empty map');
  switch (pooling.kind) {
    case 'wildcat': {
      const { kind: _, ...opts } = pooling;
      const r = resolveWildcat(n, opts, 'poolClassMap()');
      const order = descendingRegions(map);
      let s = meanAt(map, order, 0, r.kmax);
      if (r.minTermActive) s += r.alpha * meanAt(map, order, n - r.kmin, r.kmin);
      return s * r.scale;
    }
    case 'max':
      return map[descendingRegions(map)[0]!]!;
    case 'gap':
      return mean(map);
    case 'lse':
      return logMeanExp(map, beta('r', pooling.r ?? LSE_DEFAULTS.r));
    case 'generalized': {
      const o = { ...GENERALIZED_DEFAULTS, ...pooling };
      const alpha = expectNumber('option alpha of poolClassMap()', o.alpha);
      const pos = 0.5 * logMeanExp(map, beta('betaPos', o.betaPos));
      return alpha === 0 ? pos : pos + (alpha / 2) * logMeanExp(map, beta('betaNeg', o.betaNeg));
    }
    default:
      throw expectOneOf('the kind of a spatial pooling', (pooling as { kind?: unknown } | null)?.kind, ['wildcat', 'max', 'gap', 'lse', 'generalized']);
  }
}

/** Scores of C class maps stored one after the other ([C, n] row-major) → [C]. */
export function poolClassMaps(maps: ArrayLike<number>, classes: number, pooling: SpatialPooling): Float64Array {
  if (!(Number.isInteger(classes) && classes >= 1) || maps.length % classes !== 0) {
    throw outOfRange('the maps of poolClassMaps()', `${classes} class maps of equal size`, `${maps.length} values`);
  }
  const n = maps.length / classes;
  const out = new Float64Array(classes);
  const view = (c: number): ArrayLike<number> =>
    ArrayBuffer.isView(maps) ? (maps as unknown as Float32Array).subarray(c * n, (c + 1) * n) : Array.prototype.slice.call(maps, c * n, (c + 1) * n);
  for (let c = 0; c < classes; c++) out[c] = poolClassMap(view(c), pooling);
  return out;
}

/**
 * The regions the pooling averages on this map, by the engine's tie rule (as `wildcatRegions`):
 * WILDCAT's k⁺ highest and k⁻ lowest (no lowest when k⁻ = 0 or α = 0), global max pooling's
 * first maximum; null for GAP, LSE and generalized pooling, which weigh every region.
 */
export function poolingEvidence(map: ArrayLike<number>, pooling: SpatialPooling): MapEvidence | null {
  const plan = evidencePlan({ pooling, architecture: 'maps' });
  if (!plan.regions) return null;
  const n = map.length;
  const r = resolveWildcat(n, plan.regions, 'poolingEvidence()');
  const order = descendingRegions(map);
  const kmin = r.minTermActive ? r.kmin : 0;
  return { top: order.slice(0, r.kmax), bottom: order.slice(n - kmin).reverse() };
}

function meanAt(map: ArrayLike<number>, order: Int32Array, from: number, k: number): number {
  let s = 0;
  for (let i = from; i < from + k; i++) s += map[order[i]!]!;
  return s / k;
}

function mean(map: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < map.length; i++) s += map[i]!;
  return s / map.length;
}

function beta(name: string, v: unknown): number {
  return expectNumber(`option ${name} of poolClassMap()`, v, { infinite: true });
}

/**
 * (1/β) · log((1/n) Σ exp(β z)), as the engine's logMeanExp: β = 0 and ±∞ are the exact mean,
 * max and min (the first maximum / last minimum, whose values are what matter here); otherwise
 * c + log1p(mean(expm1(β (z − c)))) / β with c the max (β > 0) or min (β < 0), which neither
 * overflows for large |β| nor cancels for small |β|.
 */
function logMeanExp(z: ArrayLike<number>, beta: number): number {
  const n = z.length;
  if (Math.abs(beta) < BETA_ZERO) return mean(z);
  let c = z[0]!;
  for (let i = 1; i < n; i++) {
    const v = z[i]!;
    if (Number.isNaN(v)) return NaN;
    if (beta > 0 ? v > c : v < c) c = v;
  }
  if (Number.isNaN(c)) return NaN;
  if (Math.abs(beta) > BETA_INFINITE) return c;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.expm1(beta * (z[i]! - c));
  return Math.log1p(s / n) / beta + c;
}
