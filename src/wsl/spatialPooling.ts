// One description of every spatial pooling the network can use, so that the model, the CLI,
// checkpoints and the ablation name poolings the same way.
import type { Tensor } from '../core/index.js';
import { expectOneOf } from '../core/index.js';
import { WILDCAT_DEFAULTS, wildcatPool, withWildcatDefaults, type WildcatPoolOptions } from './wildcatPool.js';
import { globalAvgPool, globalMaxPool } from './wildcatPresets.js';
import { LSE_DEFAULTS, lsePool } from './lsePool.js';
import { GENERALIZED_DEFAULTS, generalizedPool, type GeneralizedPoolOptions } from './generalizedPool.js';

/**
 * A spatial pooling [B, C, H, W] → [B, C]:
 * - `wildcat`: mean of the k⁺ highest + α · mean of the k⁻ lowest regions (WELDON: α = 1;
 *   top-k / LLP: kmin = 0; MANTRA: k⁺ = k⁻ = 1, α = 1);
 * - `max` (Oquab et al. 2015), `gap` (global average), `lse` (Pinheiro & Collobert 2015, r),
 * - `generalized` (TPAMI 2019 eq. 8, β⁺ β⁻ α).
 * An omitted option takes the pooling function's own default (WILDCAT_DEFAULTS, LSE_DEFAULTS,
 * GENERALIZED_DEFAULTS): one default per option, whichever door the pooling comes through.
 */
export type SpatialPooling =
  | ({ kind: 'wildcat' } & WildcatPoolOptions)
  | { kind: 'max' }
  | { kind: 'gap' }
  | { kind: 'lse'; r?: number }
  | ({ kind: 'generalized' } & GeneralizedPoolOptions);

/** Pooling names the CLI accepts (`--pooling`), aliases included. */
export const POOLING_NAMES = ['wildcat', 'weldon', 'topk', 'llp', 'mantra', 'max', 'gmp', 'gap', 'avg', 'lse', 'generalized'] as const;
export type PoolingName = (typeof POOLING_NAMES)[number];

/** Applies a pooling description to class maps. */
export function applySpatialPooling(maps: Tensor, p: SpatialPooling): Tensor {
  switch (p.kind) {
    case 'wildcat':
      return wildcatPool(maps, p);
    case 'max':
      return globalMaxPool(maps);
    case 'gap':
      return globalAvgPool(maps);
    case 'lse':
      return lsePool(maps, p);
    case 'generalized':
      return generalizedPool(maps, p);
    default:
      throw expectOneOf('the kind of a spatial pooling', (p as { kind?: unknown } | null)?.kind, ['wildcat', 'max', 'gap', 'lse', 'generalized']);
  }
}

/** A short human-readable name: "wildcat k+=0.2 k-=0.2 a=0.7", "max", "lse r=5". */
export function describeSpatialPooling(p: SpatialPooling): string {
  switch (p.kind) {
    case 'wildcat': {
      const o = withWildcatDefaults(p);
      const base = o.kmin === 0 || o.alpha === 0 ? `top-k k+=${o.kmax}` : `wildcat k+=${o.kmax} k-=${o.kmin} a=${o.alpha}`;
      return base + (o.halve ? ' (halved)' : '');
    }
    case 'lse':
      return `lse r=${p.r ?? LSE_DEFAULTS.r}`;
    case 'generalized': {
      const o = { ...GENERALIZED_DEFAULTS, ...p };
      return `generalized b+=${o.betaPos} b-=${o.betaNeg} a=${o.alpha}`;
    }
    default:
      return p.kind;
  }
}

/**
 * Parses the CLI form: `wildcat`, `weldon`, `max`, `gap`, `lse`, `generalized`, `topk`, `mantra`
 * (and the aliases of POOLING_NAMES) with numeric options from `opts` (kmax, kmin, alpha, r,
 * betaPos, betaNeg, halve). Every option left out takes its one default (WILDCAT_DEFAULTS,
 * LSE_DEFAULTS, GENERALIZED_DEFAULTS), written out in full so a saved run config is explicit.
 */
export function parseSpatialPooling(
  name: string,
  opts: { kmax?: number; kmin?: number; alpha?: number; r?: number; betaPos?: number; betaNeg?: number; halve?: boolean } = {},
): SpatialPooling {
  const halve = opts.halve ?? WILDCAT_DEFAULTS.halve;
  switch (expectOneOf('the pooling name', name, POOLING_NAMES)) {
    case 'wildcat':
      return { kind: 'wildcat', ...withWildcatDefaults({ kmax: opts.kmax, kmin: opts.kmin, alpha: opts.alpha, halve }) };
    case 'weldon':
      return { kind: 'wildcat', ...withWildcatDefaults({ kmax: opts.kmax, kmin: opts.kmin, alpha: 1, halve }) };
    case 'topk':
    case 'llp':
      return { kind: 'wildcat', ...withWildcatDefaults({ kmax: opts.kmax, kmin: 0, alpha: 1, halve: false }) };
    case 'mantra':
      return { kind: 'wildcat', kmax: 1, kmin: 1, alpha: 1, halve };
    case 'max':
    case 'gmp':
      return { kind: 'max' };
    case 'gap':
    case 'avg':
      return { kind: 'gap' };
    case 'lse':
      return { kind: 'lse', r: opts.r ?? LSE_DEFAULTS.r };
    case 'generalized':
      return { kind: 'generalized', betaPos: opts.betaPos ?? GENERALIZED_DEFAULTS.betaPos, betaNeg: opts.betaNeg ?? GENERALIZED_DEFAULTS.betaNeg, alpha: opts.alpha ?? GENERALIZED_DEFAULTS.alpha };
  }
}
