// Resolution of the WILDCAT region counts k⁺ / k⁻ against the n = h·w regions of a class map.
// Tensor-free: it imports only the error vocabulary.
import { expectInteger, expectNumber } from '../core/errors.js';

/**
 * Rounds to the nearest integer, halves to the even neighbour (Python's `round`, which the
 * official WILDCAT code applies to k·n): 10.5 → 10, 3.5 → 4, 17.5 → 18, 2.5 → 2.
 * Exact on the binary value: x − floor(x) is computed without rounding error.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Number of regions a WILDCAT term selects (docs/DESIGN.md, pooling semantics):
 * - k ≤ 0 → 0: the term is disabled;
 * - 0 < k < 1 → a fraction of the regions: max(1, roundHalfEven(k·n));
 * - k ≥ 1 → a count: floor(k), clamped to n (so k = 1.0 is ONE region, not 100%).
 *
 * Divergence from the official code, on purpose: for a fraction with k·n < 0.5 the official
 * code rounds to 0 regions (k = 0.01, n = 35 → 0, which makes the top-k mean NaN or silently
 * drops the min term); we keep at least one region, because a positive k asks for a term.
 * Every other entry of the reference table (`resolve_k_table` in test/wsl/fixtures/wildcat_ref.json)
 * is reproduced exactly.
 *
 * @example resolveK(0.2, 35) === 7; resolveK(0.3, 35) === 10; resolveK(2.7, 35) === 2; resolveK(100, 35) === 35
 */
export function resolveK(k: number, n: number): number {
  expectInteger('argument n (the number of regions h·w) of resolveK()', n, { min: 1 });
  expectNumber('argument k of resolveK()', k, { infinite: true });
  if (k <= 0) return 0;
  if (k < 1) return Math.min(n, Math.max(1, roundHalfEven(k * n)));
  return Math.min(n, Math.floor(k));
}
