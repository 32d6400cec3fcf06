// Generalized max+min pooling (Durand et al., TPAMI 2019, eq. 8).
import { tidy, type Tensor } from '../core/index.js';
import { checkMaps, checkNumber } from './checks.js';
import { logMeanExp } from './logMeanExp.js';
import { GENERALIZED_DEFAULTS } from './softPoolingDefaults.js';

/** Options of {@link generalizedPool}. */
export interface GeneralizedPoolOptions {
  /** β⁺ of the positive-evidence term; +Infinity gives the max, 0 the mean. Default 10. */
  betaPos?: number;
  /** β⁻ of the negative-evidence term; −Infinity gives the min, 0 the mean. Default −10. */
  betaNeg?: number;
  /** Weight α of the negative-evidence term; 0 drops the term. Default 0.7, WILDCAT's α. */
  alpha?: number;
}

export { GENERALIZED_DEFAULTS } from './softPoolingDefaults.js';

/**
 * Generalized pooling of class maps x [B, C, H, W] → [B, C], TPAMI eq. 8 as written:
 *   s = 1/(2β⁺) · log((1/n) Σ exp(β⁺ z))  +  α · 1/(2β⁻) · log((1/n) Σ exp(β⁻ z))
 *     = ½ · M(β⁺)  +  (α/2) · M(β⁻),      M(β) = (1/β) log((1/n) Σ exp(β z))   (logMeanExp)
 * Limits, with the formula's ½ factors:
 *   β⁺ → +∞: ½·max        β⁺ → 0: ½·mean
 *   β⁻ → −∞: (α/2)·min    β⁻ → 0: (α/2)·mean
 * so (β⁺, β⁻) = (+∞, −∞) is (max + α·min)/2, i.e. WILDCAT k⁺ = k⁻ = 1 with halve: true
 * (MANTRA / 2 when α = 1), and (0, 0) is (1 + α)/2 · mean. β = 0 and β = ±Infinity are
 * evaluated as these limits exactly; large finite |β| never overflows.
 * @example generalizedPool(maps, { betaPos: 10, betaNeg: -10, alpha: 0.7 })
 */
export function generalizedPool(x: Tensor, opts: GeneralizedPoolOptions = {}): Tensor {
  const [b, c, h, w] = checkMaps('generalizedPool', x);
  const betaPos = checkNumber('generalizedPool', 'betaPos', opts?.betaPos ?? GENERALIZED_DEFAULTS.betaPos, x, true);
  const betaNeg = checkNumber('generalizedPool', 'betaNeg', opts?.betaNeg ?? GENERALIZED_DEFAULTS.betaNeg, x, true);
  const alpha = checkNumber('generalizedPool', 'alpha', opts?.alpha ?? GENERALIZED_DEFAULTS.alpha, x);
  return tidy(() => {
    const z = x.reshape([b, c, h * w]);
    const pos = logMeanExp(z, betaPos).mul(0.5);
    return alpha === 0 ? pos : pos.add(logMeanExp(z, betaNeg), alpha / 2);
  });
}
