/**
 * Weakly supervised learning: spatial poolings, class-wise pooling and the training losses.
 *
 * Conventions (docs/DESIGN.md, pooling semantics; tests in test/wsl check each):
 * - k: resolveK — k ≤ 0 disables a term, 0 < k < 1 is max(1, round_half_even(k·n)), k ≥ 1 is
 *   floor(k) clamped to n. Only divergence from the official code: a fraction with k·n < 0.5
 *   gives 1 region, not 0. The poolings reject negative k (0 is how to disable the min term).
 * - Scale: wildcatPool gives top + α·bottom by default; `halve: true` is the official code's
 *   (top + α·bottom)/2, applied only when the min term is active (k⁻ > 0 and α ≠ 0).
 * - Ties: a stable descending sort decides; the top set takes the lowest flat indices among
 *   equal values, the bottom set the highest (the reference's rule). GMP gives its gradient
 *   to the first maximum.
 * - generalizedPool follows TPAMI eq. 8 with its ½ factors: β⁺ → +∞ is max/2, β → 0 mean/2,
 *   β⁻ → −∞ α·min/2; β = 0 and ±Infinity are handled exactly.
 * - classWisePool's mean has the true gradient (1/M per map), not the official M× backward.
 * - apRankingLoss: classes without a positive or without a negative in the batch are skipped;
 *   'mean' averages over the remaining classes. Difficult labels (0) are left out everywhere.
 */
export { resolveK, roundHalfEven } from './resolveK.js';
export { RegionSelection } from './regionSelection.js';
export {
  wildcatPool, wildcatRegions, resolveWildcat, withWildcatDefaults, WILDCAT_DEFAULTS, type WildcatPoolOptions, type ResolvedWildcat,
} from './wildcatPool.js';
export { globalMaxPool, globalAvgPool, topKPool, weldonPool, mantraPool } from './wildcatPresets.js';
export { logMeanExp, BETA_ZERO, BETA_INFINITE } from './logMeanExp.js';
export { lsePool, LSE_DEFAULTS } from './lsePool.js';
export { generalizedPool, GENERALIZED_DEFAULTS, type GeneralizedPoolOptions } from './generalizedPool.js';
export { classWisePool, CLASS_WISE_DEFAULTS, type ClassWisePoolOptions } from './classWisePool.js';
export { multiLabelLogisticLoss } from './multiLabelLogisticLoss.js';
export { multiClassSoftmaxLoss } from './multiClassSoftmaxLoss.js';
export { apLossAugmentedInference, type ApInference } from './apLossAugmentedInference.js';
export { apRankingLoss } from './apRankingLoss.js';
export { WildcatNet, WILDCAT_NET_DEFAULTS, type WildcatNetOptions, type WildcatOutput } from './wildcatNet.js';
export { buildWildcatNet, buildBackbone, type WildcatNetSpec, type BackboneSpec } from './buildWildcatNet.js';
export { applySpatialPooling, describeSpatialPooling, parseSpatialPooling, POOLING_NAMES, type PoolingName, type SpatialPooling } from './spatialPooling.js';
