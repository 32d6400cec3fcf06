// WILDCAT spatial pooling (Durand et al., CVPR 2017, eq. 3): top-k⁺ mean + α · bottom-k⁻ mean.
import { noGrad, tidy, type Tensor } from '../core/index.js';
import { checkMaps } from './checks.js';
import { RegionSelection } from './regionSelection.js';
import { resolveWildcat, type WildcatPoolOptions } from './resolveWildcat.js';

export { resolveWildcat, withWildcatDefaults, WILDCAT_DEFAULTS, type ResolvedWildcat, type WildcatPoolOptions } from './resolveWildcat.js';

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
