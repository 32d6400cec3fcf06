// Arguments that PyTorch accepts as an int or a pair (kernel size, stride, padding, ...).

/** A size for both spatial dimensions, or [height, width]. */
export type Size2 = number | [number, number];

/** Expands a Size2 to [h, w], checking that both are non-negative integers. */
export function pair(v: Size2, what: string): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!Array.isArray(v) && typeof v !== 'number') throw new TypeError(`${what}: expected a number or [h, w], got ${String(v)}`);
  if (Array.isArray(v) && v.length !== 2) throw new TypeError(`${what}: expected [h, w], got [${v.join(', ')}]`);
  for (const x of p) {
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`${what}: expected non-negative integers, got ${JSON.stringify(v)}`);
  }
  return p;
}
