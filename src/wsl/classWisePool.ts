// Class-wise pooling of the multi-map transfer layer (WILDCAT, CVPR 2017 §3.2).
import { expectOneOf, tidy, type Tensor } from '../core/index.js';
import { checkMaps, shapeText } from './checks.js';

/** The default of the class-wise combination, defined once (API, CLI, trainer): the mean. */
export const CLASS_WISE_DEFAULTS: Readonly<{ mode: 'mean' | 'max' }> = Object.freeze({ mode: 'mean' });

/** Options of {@link classWisePool}. */
export interface ClassWisePoolOptions {
  /** M: maps (modalities) per class. */
  maps: number;
  /** How the M maps of a class combine: 'mean' (WILDCAT, default) or 'max'. */
  mode?: 'mean' | 'max';
}

/**
 * Combines the M maps of each class: x [B, C·M, H, W] → [B, C, H, W], with input channel
 * c·M + m holding modality m of class c (class-major, as the official code).
 * 'mean': the average over m; its gradient is the true one, dy/M to each map (the official
 * ClassWisePool backward returns M times that; we do not reproduce it).
 * 'max': the largest of the M maps at each position; the gradient goes to that map (the first
 * one among equal values).
 * @example const classMaps = classWisePool(transfer.forward(features), { maps: 4 });
 */
export function classWisePool(x: Tensor, opts: ClassWisePoolOptions): Tensor {
  const [b, cm, h, w] = checkMaps('classWisePool', x, 'maps [batch, classes·maps, height, width]');
  const m = opts?.maps;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) {
    throw new RangeError(`classWisePool: maps must be a positive integer (modalities per class), got ${String(m)} (x shape ${shapeText(x)})`);
  }
  if (cm % m !== 0) {
    throw new RangeError(`classWisePool: maps = ${m} does not divide the ${cm} channels of x (shape ${shapeText(x)}); channels must be classes × maps`);
  }
  const mode = expectOneOf('option mode of classWisePool()', opts.mode ?? CLASS_WISE_DEFAULTS.mode, ['mean', 'max']);
  return tidy(() => {
    const grouped = x.reshape([b, cm / m, m, h, w]);
    return mode === 'mean' ? grouped.mean(2) : grouped.maxWithIndices(2).values;
  });
}
