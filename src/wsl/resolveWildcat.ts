// The WILDCAT pooling options, their one set of defaults, and their resolution against the n
// regions of a class map. Tensor-free (it imports only the error vocabulary and resolveK), so
// code without the engine, such as a browser page, can share it with wildcatPool.
import { expectBoolean, expectNumber, invalidType } from '../core/errors.js';
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
