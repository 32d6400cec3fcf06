// One description of every spatial pooling the network can use, so that the model, the CLI,
// checkpoints and the ablation name poolings the same way.
import type { Tensor } from '../core/index.js';
import { wildcatPool } from './wildcatPool.js';
import { globalAvgPool, globalMaxPool } from './wildcatPresets.js';
import { lsePool } from './lsePool.js';
import { generalizedPool } from './generalizedPool.js';

/**
 * A spatial pooling [B, C, H, W] → [B, C]:
 * - `wildcat`: mean of the k⁺ highest + α · mean of the k⁻ lowest regions (WELDON: α = 1;
 *   top-k / LLP: kmin = 0; MANTRA: k⁺ = k⁻ = 1, α = 1);
 * - `max` (Oquab et al. 2015), `gap` (global average), `lse` (Pinheiro & Collobert 2015, r),
 * - `generalized` (TPAMI 2019 eq. 8, β⁺ β⁻ α).
 */
export type SpatialPooling =
  | { kind: 'wildcat'; kmax: number; kmin?: number; alpha?: number; halve?: boolean }
  | { kind: 'max' }
  | { kind: 'gap' }
  | { kind: 'lse'; r: number }
  | { kind: 'generalized'; betaPos: number; betaNeg: number; alpha?: number };

/** Applies a pooling description to class maps. */
export function applySpatialPooling(maps: Tensor, p: SpatialPooling): Tensor {
  switch (p.kind) {
    case 'wildcat':
      return wildcatPool(maps, { kmax: p.kmax, kmin: p.kmin ?? 0, alpha: p.alpha ?? 1, halve: p.halve ?? false });
    case 'max':
      return globalMaxPool(maps);
    case 'gap':
      return globalAvgPool(maps);
    case 'lse':
      return lsePool(maps, { r: p.r });
    case 'generalized':
      return generalizedPool(maps, { betaPos: p.betaPos, betaNeg: p.betaNeg, alpha: p.alpha ?? 1 });
    default:
      throw new TypeError(`unknown spatial pooling ${JSON.stringify(p)}; expected kind wildcat, max, gap, lse or generalized`);
  }
}

/** A short human-readable name: "wildcat k+=0.2 k-=0.2 a=0.7", "max", "lse r=5". */
export function describeSpatialPooling(p: SpatialPooling): string {
  switch (p.kind) {
    case 'wildcat': {
      const kmin = p.kmin ?? 0;
      const alpha = p.alpha ?? 1;
      const base = kmin === 0 || alpha === 0 ? `top-k k+=${p.kmax}` : `wildcat k+=${p.kmax} k-=${kmin} a=${alpha}`;
      return base + (p.halve ? ' (halved)' : '');
    }
    case 'lse':
      return `lse r=${p.r}`;
    case 'generalized':
      return `generalized b+=${p.betaPos} b-=${p.betaNeg} a=${p.alpha ?? 1}`;
    default:
      return p.kind;
  }
}

/**
 * Parses the CLI form: `wildcat`, `weldon`, `max`, `gap`, `lse`, `generalized`, `topk`, `mantra`
 * with numeric options from `opts` (kmax, kmin, alpha, r, betaPos, betaNeg).
 * Defaults follow the papers' VOC settings: WILDCAT k⁺ = k⁻ = 0.2 (fractions of regions), α = 0.7.
 */
export function parseSpatialPooling(
  name: string,
  opts: { kmax?: number; kmin?: number; alpha?: number; r?: number; betaPos?: number; betaNeg?: number; halve?: boolean } = {},
): SpatialPooling {
  const halve = opts.halve ?? false;
  switch (name) {
    case 'wildcat':
      return { kind: 'wildcat', kmax: opts.kmax ?? 0.2, kmin: opts.kmin ?? opts.kmax ?? 0.2, alpha: opts.alpha ?? 0.7, halve };
    case 'weldon':
      return { kind: 'wildcat', kmax: opts.kmax ?? 0.2, kmin: opts.kmin ?? opts.kmax ?? 0.2, alpha: 1, halve };
    case 'topk':
    case 'llp':
      return { kind: 'wildcat', kmax: opts.kmax ?? 0.2, kmin: 0, alpha: 1 };
    case 'mantra':
      return { kind: 'wildcat', kmax: 1, kmin: 1, alpha: 1, halve };
    case 'max':
    case 'gmp':
      return { kind: 'max' };
    case 'gap':
    case 'avg':
      return { kind: 'gap' };
    case 'lse':
      return { kind: 'lse', r: opts.r ?? 5 };
    case 'generalized':
      return { kind: 'generalized', betaPos: opts.betaPos ?? 10, betaNeg: opts.betaNeg ?? -10, alpha: opts.alpha ?? 0.7 };
    default:
      throw new RangeError(`unknown pooling '${name}'; expected wildcat, weldon, topk, mantra, max, gap, lse or generalized`);
  }
}
