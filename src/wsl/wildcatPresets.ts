// Classic spatial poolings as WILDCAT settings (docs/DESIGN.md, pooling semantics), each a thin
// call of wildcatPool with every option given (none of them depends on WILDCAT_DEFAULTS).
import type { Tensor } from '../core/index.js';
import { wildcatPool } from './wildcatPool.js';

/** Global max pooling (GMP; Oquab et al. 2015): k⁺ = 1, no min term. Gradient to the first maximum (lowest flat index). */
export function globalMaxPool(x: Tensor): Tensor {
  return wildcatPool(x, { kmax: 1, kmin: 0 });
}

/** Global average pooling (GAP; Zhou et al. 2016): k⁺ = n, no min term. */
export function globalAvgPool(x: Tensor): Tensor {
  return wildcatPool(x, { kmax: Infinity, kmin: 0 });
}

/**
 * Top-instance / log-likelihood pooling (LLP; Li & Vasconcelos 2015): mean of the k highest
 * regions, no min term. k is a count ≥ 1 or a fraction in (0, 1) (see resolveK).
 */
export function topKPool(x: Tensor, k: number): Tensor {
  return wildcatPool(x, { kmax: k, kmin: 0 });
}

/**
 * WELDON pooling (Durand et al., CVPR 2016): mean of the k⁺ highest plus mean of the k⁻ lowest
 * regions (α = 1). kmin defaults to kmax. `halve: true` gives TPAMI eq. 11 and the official
 * WeldonPool2d, which divide the sum by 2.
 */
export function weldonPool(x: Tensor, opts: { kmax: number; kmin?: number; halve?: boolean }): Tensor {
  return wildcatPool(x, { kmax: opts.kmax, kmin: opts.kmin ?? opts.kmax, alpha: 1, halve: opts.halve ?? false });
}

/** MANTRA pooling (Durand et al., ICCV 2015): max + min (k⁺ = k⁻ = 1, α = 1); `halve: true` divides by 2. */
export function mantraPool(x: Tensor, opts: { halve?: boolean } = {}): Tensor {
  return wildcatPool(x, { kmax: 1, kmin: 1, alpha: 1, halve: opts.halve ?? false });
}
