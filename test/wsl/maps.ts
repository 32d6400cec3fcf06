// Test inputs for the poolings.
import { randperm, tensor, type Tensor } from '../../src/core/index.js';

/**
 * Float64 maps with all values distinct and at least `gap` apart (a random permutation of
 * 0..size-1, scaled and centred), so finite differences never cross a tie. Uses the global
 * generator: seed it with manualSeed.
 */
export function tieFreeMaps(shape: number[], gap = 0.05): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const perm = randperm(size);
  const v = Float64Array.from(perm.toNumbers(), (p) => (p - size / 2) * gap);
  perm.dispose();
  return tensor(v, { shape });
}

/** A deterministic pseudo-random generator (mulberry32) for plain-number test data. */
export { seededRandom as rng } from '../helpers/seededRandom.js';
