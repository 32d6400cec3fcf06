// Which regions of a class map are the pooling's evidence, for drawing: the k⁺ highest and the
// k⁻ lowest regions that WILDCAT-family poolings average (CVPR 2017 §3.3).
import { resolveWildcat, withWildcatDefaults, type WildcatPoolOptions } from '../wsl/resolveWildcat.js';
import type { WildcatNetSpec } from '../wsl/buildWildcatNet.js';

export interface EvidencePlan {
  /** Options for wildcatRegions, or null when the pooling selects no regions to show. */
  regions: WildcatPoolOptions | null;
  /** Why there is nothing to show, when regions is null. */
  reason?: string;
}

/**
 * The selection to draw for a network spec: WILDCAT / WELDON / top-k / MANTRA use their k⁺, k⁻
 * and α (no negative evidence when k⁻ = 0 or α = 0); global max pooling selects its single
 * highest region. GAP (every region), LSE and generalized pooling (soft weights) select no set,
 * and architecture (b) pools backbone features, not class maps.
 */
export function evidencePlan(spec: Pick<WildcatNetSpec, 'pooling' | 'architecture'>): EvidencePlan {
  if (spec.architecture === 'features') return { regions: null, reason: 'architecture (b) pools the backbone features, not the class maps, so no class-map regions are selected' };
  const p = spec.pooling;
  switch (p.kind) {
    case 'wildcat':
      return { regions: withWildcatDefaults(p) };
    case 'max':
      return { regions: { kmax: 1, kmin: 0 } };
    case 'gap':
      return { regions: null, reason: 'global average pooling uses every region equally' };
    default:
      return { regions: null, reason: `${p.kind} pooling weighs every region softly; no region set is selected` };
  }
}

/** "29 of 144" style counts of the selection on an h × w map. */
export function evidenceCounts(regions: WildcatPoolOptions, h: number, w: number): { kmax: number; kmin: number; n: number } {
  const r = resolveWildcat(h * w, regions, 'evidenceCounts()');
  return { kmax: r.kmax, kmin: r.minTermActive ? r.kmin : 0, n: r.n };
}
