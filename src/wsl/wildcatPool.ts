// WILDCAT spatial pooling (Durand et al., CVPR 2017, eq. 3): top-k⁺ mean + α · bottom-k⁻ mean.
import { expectBoolean, expectNumber, invalidType, noGrad, tidy, type Tensor } from '../core/index.js';
import { checkMaps } from './checks.js';
import { RegionSelection } from './regionSelection.js';
import { resolveK } from './resolveK.js';

/**
 * Options of {@link wildcatPool}. k values follow {@link resolveK}: a count ≥ 1 or a fraction in
 * (0, 1). Every option has one default, {@link WILDCAT_DEFAULTS}, shared by the API, the CLI and
 * the trainer.
 */
export interface WildcatPoolOptions {
  /** k⁺: how many highest regions are averaged (positive evidence). Must be > 0. Default 0.2 of the regions. */
  kmax?: number;
  /** k⁻: how many lowest regions are averaged (negative evidence); 0 disables the term. Default: k⁺, as the official WildcatPool2d. */
  kmin?: number;
  /** Weight α of the lowest regions' mean. Default 0.7 (CVPR 2017 §4.1); α = 1 is WELDON. */
  alpha?: number;
  /**
   * Scale convention. false (default, CVPR 2017 eq. 3): s = top + α·bottom.
   * true (the official PyTorch code, and WELDON's TPAMI eq. 11): s = (top + α·bottom) / 2
   * whenever the min term is active (k⁻ > 0 and α ≠ 0); a plain top-k mean is never halved.
   */
  halve?: boolean;
}

/**
 * The defaults of the WILDCAT options, defined here once: k⁺ = 0.2 of the regions, k⁻ = k⁺
 * (so not listed: it follows k⁺), α = 0.7 (CVPR 2017 §4.1: "fixed at M = 4 and α = 0.7"), no
 * halving (eq. 3 as written). Every other default (CLI, trainer, report) derives from these.
 */
export const WILDCAT_DEFAULTS: Readonly<{ kmax: number; alpha: number; halve: boolean }> = Object.freeze({ kmax: 0.2, alpha: 0.7, halve: false });

/** The options with every default filled in: k⁺, then k⁻ = k⁺ unless given, α, halve. */
export function withWildcatDefaults(opts: WildcatPoolOptions = {}): Required<WildcatPoolOptions> {
  const kmax = opts.kmax ?? WILDCAT_DEFAULTS.kmax;
  return { kmax, kmin: opts.kmin ?? kmax, alpha: opts.alpha ?? WILDCAT_DEFAULTS.alpha, halve: opts.halve ?? WILDCAT_DEFAULTS.halve };
}

/** The options of a WILDCAT pooling resolved against n regions. */
export interface ResolvedWildcat {
  n: number;
  kmax: number;
  kmin: number;
  alpha: number;
  /** k⁻ > 0 and α ≠ 0. */
  minTermActive: boolean;
  /** Factor applied to top + α·bottom: 1/2 when halving an active min term, else 1. */
  scale: number;
}

/**
 * Resolves k⁺, k⁻, α and the scale for maps of n regions, checking the options (defaults from
 * {@link WILDCAT_DEFAULTS}). Negative k are rejected here (resolveK alone maps them to 0): a
 * negative k is a mistake, 0 is the way to disable the min term.
 */
export function resolveWildcat(n: number, opts: WildcatPoolOptions = {}, fn = 'wildcatPool()'): ResolvedWildcat {
  if (opts === null || typeof opts !== 'object') throw invalidType(`the options of ${fn}`, 'an object {kmax?, kmin?, alpha?, halve?}', opts);
  const o = withWildcatDefaults(opts);
  const kmaxIn = expectNumber(`option kmax of ${fn}`, o.kmax, { above: 0, infinite: true });
  const kminIn = expectNumber(`option kmin of ${fn}`, o.kmin, { min: 0, infinite: true });
  const alpha = expectNumber(`option alpha of ${fn}`, o.alpha);
  const halve = expectBoolean(`option halve of ${fn}`, o.halve);
  const kmax = resolveK(kmaxIn, n);
  const kmin = resolveK(kminIn, n);
  const minTermActive = kmin > 0 && alpha !== 0;
  return { n, kmax, kmin, alpha, minTermActive, scale: halve && minTermActive ? 0.5 : 1 };
}

/**
 * WILDCAT spatial pooling of class maps x [B, C, H, W] → scores [B, C]:
 *   s = mean(k⁺ highest regions) + α · mean(k⁻ lowest regions)      (halve: false, default)
 *   s = (mean(k⁺ highest) + α · mean(k⁻ lowest)) / 2                 (halve: true, official code)
 * The min term is dropped when k⁻ = 0 or α = 0 (then nothing is halved either).
 *
 * Gradient: dy/k⁺ to each of the k⁺ highest regions, α·dy/k⁻ to each of the k⁻ lowest (times
 * the scale), both when a region is in both sets. Ties follow a stable descending sort: among
 * equal values the top set takes the lowest flat indices (h·W + w), the bottom set the highest.
 *
 * @example const s = wildcatPool(maps); // the defaults: k⁺ = k⁻ = 0.2, α = 0.7 (the paper's VOC setting)
 */
export function wildcatPool(x: Tensor, opts: WildcatPoolOptions = {}): Tensor {
  const [b, c, h, w] = checkMaps('wildcatPool', x);
  const r = resolveWildcat(h * w, opts);
  return tidy(() => {
    const sel = new RegionSelection(x.reshape([b, c, h * w]));
    let s = sel.topMean(r.kmax);
    if (r.minTermActive) s = s.add(sel.bottomMean(r.kmin), r.alpha);
    return r.scale === 1 ? s : s.mul(r.scale);
  });
}

/**
 * The regions WILDCAT selects, as flat indices h·W + w (int64, no gradient), by the same tie
 * rule as wildcatPool: `top` [B, C, k⁺] from highest to lowest, `bottom` [B, C, k⁻] from
 * lowest to highest (empty last dim when the min term is disabled). For localization and
 * visualization of positive / negative evidence.
 */
export function wildcatRegions(x: Tensor, opts: WildcatPoolOptions = {}): { top: Tensor; bottom: Tensor } {
  const [b, c, h, w] = checkMaps('wildcatRegions', x);
  const n = h * w;
  const r = resolveWildcat(n, opts, 'wildcatRegions()');
  return tidy(() =>
    noGrad(() => {
      const order = x.reshape([b, c, n]).sort(-1, true, true).indices;
      const kmin = r.minTermActive ? r.kmin : 0;
      return { top: order.narrow(-1, 0, r.kmax).contiguous(), bottom: order.narrow(-1, n - kmin, kmin).flip([-1]) };
    }),
  );
}
