// LSE pooling (Pinheiro & Collobert, CVPR 2015).
import { tidy, type Tensor } from '../core/index.js';
import { checkMaps, checkNumber } from './checks.js';
import { logMeanExp } from './logMeanExp.js';
import { LSE_DEFAULTS } from './softPoolingDefaults.js';

export { LSE_DEFAULTS } from './softPoolingDefaults.js';

/**
 * Log-sum-exp pooling of class maps x [B, C, H, W] → [B, C]:
 *   s = (1/r) · log((1/n) · Σ exp(r·z))
 * computed stably (see logMeanExp). r → 0 gives GAP, r → +∞ GMP; r = 0 and r = Infinity are
 * accepted and give exactly the mean and the max. A negative r gives a soft minimum.
 * r defaults to LSE_DEFAULTS.r.
 * @example const s = lsePool(maps, { r: 5 });
 */
export function lsePool(x: Tensor, opts: { r?: number } = {}): Tensor {
  const [b, c, h, w] = checkMaps('lsePool', x);
  const r = checkNumber('lsePool', 'r', opts?.r ?? LSE_DEFAULTS.r, x, true);
  return tidy(() => logMeanExp(x.reshape([b, c, h * w]), r));
}
