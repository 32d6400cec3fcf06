// The log-mean-exp ("soft maximum") of LSE and generalized pooling, stable for every β.
import { op, tidy, type Tensor } from '../core/index.js';
import { RegionSelection } from './regionSelection.js';
import { BETA_INFINITE, BETA_ZERO } from './betaLimits.js';

export { BETA_INFINITE, BETA_ZERO } from './betaLimits.js';

/**
 * M_β(z) = (1/β) · log((1/n) · Σ_i exp(β·z_i)) along the last dimension of z ([..., n] → [...]).
 *
 * M_β is increasing in β, between min (β → −∞), the mean (β → 0) and max (β → +∞). Those limits
 * are exact here: β = 0 (|β| < BETA_ZERO) is the mean, β = ±Infinity (|β| > BETA_INFINITE) is
 * max / min by the WILDCAT tie rule (first maximum / last minimum).
 *
 * Otherwise it is computed as c + log1p(mean(expm1(β·(z − c)))) / β with c = max z (β > 0) or
 * min z (β < 0), a constant for autograd (the value does not depend on c). Every exponent
 * β·(z − c) is ≤ 0, so nothing overflows for large |β|, and for small |β| expm1 / log1p keep
 * the tiny deviations from the mean exactly (log(Σ exp) − log n would cancel catastrophically:
 * in float32 at β = 1e-6 it is off by ~0.3). The gradient is the softmax of β·z over the regions.
 */
export function logMeanExp(z: Tensor, beta: number): Tensor {
  if (typeof beta !== 'number' || Number.isNaN(beta)) throw new TypeError(`logMeanExp: beta must be a number (±Infinity allowed), got ${String(beta)}`);
  return tidy(() => {
    if (Math.abs(beta) < BETA_ZERO) return z.mean(-1);
    if (Math.abs(beta) > BETA_INFINITE) {
      const sel = new RegionSelection(z);
      return beta > 0 ? sel.topMean(1) : sel.bottomMean(1);
    }
    const c = (beta > 0 ? z.max(-1, true) : z.min(-1, true)).detach();
    const m = op('aten::expm1')(z.sub(c).mul(beta)).mean(-1);
    return op('aten::log1p')(m).div(beta).add(c.squeeze(-1));
  });
}
