// The WILDCAT pooling options and their resolution against the n regions of a class map. Pure
// (no tensor import), so the studio page can share it with the engine's wildcatPool.
import { resolveK } from './resolveK.js';

/** Options of {@link wildcatPool}. k values follow {@link resolveK}: a count ≥ 1 or a fraction in (0, 1). */
export interface WildcatPoolOptions {
  /** k⁺: how many highest regions are averaged (positive evidence). Must be > 0. */
  kmax: number;
  /** k⁻: how many lowest regions are averaged (negative evidence); 0 disables the term. Defaults to kmax, as the official constructor. */
  kmin?: number;
  /** Weight α of the lowest regions' mean. Default 1. */
  alpha?: number;
  /**
   * Scale convention. false (default, DESIGN §2 and CVPR 2017 eq. 3): s = top + α·bottom.
   * true (the official PyTorch code, and WELDON's TPAMI eq. 11): s = (top + α·bottom) / 2
   * whenever the min term is active (k⁻ > 0 and α ≠ 0); a plain top-k mean is never halved.
   */
  halve?: boolean;
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
 * Resolves k⁺, k⁻, α and the scale for maps of n regions, checking the options.
 * Negative k are rejected here (resolveK alone maps them to 0): a negative k is a mistake,
 * 0 is the way to disable the min term. `x` (anything with a shape, e.g. the maps tensor) only
 * makes the error messages name the input.
 */
export function resolveWildcat(n: number, opts: WildcatPoolOptions, x?: { readonly shape: readonly number[] }, fn = 'wildcatPool'): ResolvedWildcat {
  const where = x ? ` (x shape [${x.shape.join(', ')}])` : ` (n = ${n} regions)`;
  if (opts === null || typeof opts !== 'object') throw new TypeError(`${fn}: options {kmax, kmin?, alpha?, halve?} are required${where}`);
  const kmaxIn = opts.kmax;
  if (typeof kmaxIn !== 'number' || Number.isNaN(kmaxIn)) throw new TypeError(`${fn}: kmax must be a number (a count ≥ 1 or a fraction in (0, 1)), got ${String(kmaxIn)}${where}`);
  if (kmaxIn <= 0) throw new RangeError(`${fn}: kmax must be > 0 (a count ≥ 1 or a fraction in (0, 1)), got ${kmaxIn}${where}`);
  const kminIn = opts.kmin ?? kmaxIn;
  if (typeof kminIn !== 'number' || Number.isNaN(kminIn)) throw new TypeError(`${fn}: kmin must be a number (0 disables the min term), got ${String(kminIn)}${where}`);
  if (kminIn < 0) throw new RangeError(`${fn}: kmin must be ≥ 0 (0 disables the min term), got ${kminIn}${where}`);
  const alpha = opts.alpha ?? 1;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new TypeError(`${fn}: alpha must be a finite number, got ${String(alpha)}${where}`);
  const kmax = resolveK(kmaxIn, n);
  const kmin = resolveK(kminIn, n);
  const minTermActive = kmin > 0 && alpha !== 0;
  return { n, kmax, kmin, alpha, minTermActive, scale: opts.halve && minTermActive ? 0.5 : 1 };
}
