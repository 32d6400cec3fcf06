// Assertions on tensor values for tests: shape, dtype and elements against nested arrays.
import { AssertionError } from 'node:assert';
import type { DType, Tensor } from '../../src/core/index.js';

/** Nested arrays of numbers/booleans, as written in a test (`[[1, 2], [3, 4]]`). */
export type Nested = number | boolean | Nested[];

export interface CloseOptions {
  /** Absolute tolerance (default 0: exact). */
  atol?: number;
  /** Relative tolerance, relative to the expected value (default 0: exact). */
  rtol?: number;
}

/**
 * Asserts that `t` has the shape of `expected` (inferred from the nesting), the given dtype if
 * any, and elements equal to `expected` within atol + rtol·|expected| (exact by default;
 * NaN matches NaN, booleans compare as 0/1, int64 compares after Number()).
 * @example assertTensor(x.sum(0), [4, 6], { dtype: 'float32' });
 */
export function assertTensor(t: Tensor, expected: Nested, opts: CloseOptions & { dtype?: DType } = {}): void {
  const shape = shapeOf(expected);
  if (!sameShape(t.shape, shape)) {
    throw new AssertionError({ message: `shape [${t.shape.join(', ')}] !== expected [${shape.join(', ')}]`, actual: t.shape, expected: shape, operator: 'assertTensor' });
  }
  if (opts.dtype !== undefined && t.dtype !== opts.dtype) {
    throw new AssertionError({ message: `dtype ${t.dtype} !== expected ${opts.dtype}`, actual: t.dtype, expected: opts.dtype, operator: 'assertTensor' });
  }
  assertClose(t.toNumbers(), flat(expected), opts);
}

/** Asserts elementwise |a − e| <= atol + rtol·|e| (NaN matches NaN); reports the first mismatches. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, opts: CloseOptions = {}): void {
  const atol = opts.atol ?? 0;
  const rtol = opts.rtol ?? 0;
  if (actual.length !== expected.length) {
    throw new AssertionError({ message: `length ${actual.length} !== expected ${expected.length}`, actual: actual.length, expected: expected.length, operator: 'assertClose' });
  }
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const ok = a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok && bad.length < 5) bad.push(`[${i}] ${a} vs ${e}`);
    else if (!ok) bad.push('');
  }
  if (bad.length > 0) {
    throw new AssertionError({
      message: `${bad.length} of ${expected.length} elements differ (atol ${atol}, rtol ${rtol}): ${bad.filter(Boolean).join(', ')}`,
      actual: Array.from(actual),
      expected: Array.from(expected),
      operator: 'assertClose',
    });
  }
}

function shapeOf(v: Nested): number[] {
  const shape: number[] = [];
  let d = v;
  while (Array.isArray(d)) {
    shape.push(d.length);
    if (d.length === 0) break;
    d = d[0]!;
  }
  return shape;
}

function flat(v: Nested, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const e of v) flat(e, out);
  else out.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  return out;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
