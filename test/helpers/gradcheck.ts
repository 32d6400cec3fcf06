// Finite-difference gradient check: compares autograd with central differences in float64.
import { AssertionError } from 'node:assert';
import { grad, isFloating, noGrad, tensor, tidy, type Tensor } from '../../src/core/index.js';

export interface GradCheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, relative to the finite difference (default 1e-3). */
  rtol?: number;
  /** Seed of the random output projection (default 1; any fixed value is fine). */
  seed?: number;
}

/**
 * Checks the gradients autograd computes for `fn` against central finite differences.
 *
 * `fn` maps the inputs to one float64 tensor of any shape. Its output is projected on fixed
 * random weights w (s = Σ w·fn(x)), autograd's ∂s/∂x is taken with `grad()`, and every element
 * of every floating input is compared with (s(x + eps) − s(x − eps)) / 2eps: a mismatch must
 * satisfy |autograd − numeric| <= atol + rtol·|numeric|, else an AssertionError lists the
 * input, element index and both values.
 *
 * - Floating inputs must be float64 (float32 differences are too noisy); integer and bool
 *   inputs (indices, masks) are passed through unchanged and not differentiated.
 * - The inputs are not modified and need not require grad: fn receives fresh float64 leaves.
 *   fn must be pure (no in-place writes to its arguments; clone first to test an in-place op).
 * - Keep inputs away from kinks and ties (relu at 0, equal values under max/topk/sort) by
 *   more than eps, or the one-sided derivatives differ.
 * - Leak-free: every tensor it creates is disposed, also when the check fails.
 * - Cost: 2 evaluations of fn per input element; meant for small tensors (tens of elements).
 *
 * @example gradCheck((a, b) => a.matmul(b), [randn([2, 3], { dtype: 'float64' }), randn([3, 2], { dtype: 'float64' })]);
 */
export function gradCheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradCheckOptions = {}): void {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  inputs.forEach((x, k) => {
    if (isFloating(x.dtype) && x.dtype !== 'float64') {
      throw new TypeError(`gradCheck: input ${k} is ${x.dtype}; finite differences need float64 (pass x.double())`);
    }
  });
  const failures = tidy(() => {
    const bases = inputs.map((x) => x.detach().clone());
    const leaves = bases.map((b) => (b.dtype === 'float64' ? b.detach().requiresGrad_(true) : b));
    const out = fn(...leaves);
    if (out.dtype !== 'float64') throw new TypeError(`gradCheck: fn returned ${out.dtype}; it must return float64`);
    if (!out.requiresGrad) throw new AssertionError({ message: 'gradCheck: the output of fn does not require grad (does it depend on a float64 input through differentiable ops?)' });
    const outShape = out.shape;
    const w = projectionWeights(out.size, opts.seed ?? 1);
    const s = out.mul(tensor(w, { shape: outShape })).sum();
    const checked = leaves.map((l, k) => k).filter((k) => leaves[k]!.dtype === 'float64');
    const grads = grad(s, checked.map((k) => leaves[k]!), { allowUnused: true });

    // s at inputs where input k is replaced by `values`, without recording a graph.
    const project = (k: number, values: Float64Array): number =>
      tidy(() =>
        noGrad(() => {
          const xs = bases.slice();
          xs[k] = tensor(values, { shape: bases[k]!.shape });
          const o = fn(...xs);
          if (!sameShape(o.shape, outShape)) throw new AssertionError({ message: `gradCheck: fn output shape changed from [${outShape}] to [${o.shape}] under perturbation` });
          const v = o.toArray() as Float64Array;
          let acc = 0;
          for (let i = 0; i < v.length; i++) acc += w[i]! * v[i]!;
          return acc;
        }),
      );

    const bad: string[] = [];
    let count = 0;
    checked.forEach((k, gi) => {
      const g = grads[gi];
      const analytic = g ? (g.toArray() as Float64Array) : new Float64Array(bases[k]!.size);
      const x0 = Float64Array.from(bases[k]!.toArray() as Float64Array);
      for (let j = 0; j < x0.length; j++) {
        const xp = x0.slice();
        xp[j] = x0[j]! + eps;
        const xm = x0.slice();
        xm[j] = x0[j]! - eps;
        const numeric = (project(k, xp) - project(k, xm)) / (2 * eps);
        const a = analytic[j]!;
        const tol = atol + rtol * Math.abs(numeric);
        if (!(Math.abs(a - numeric) <= tol)) {
          count++;
          if (bad.length < 6) {
            bad.push(`input ${k} [${unravel(j, bases[k]!.shape).join(', ')}]: autograd ${a.toPrecision(8)}, finite difference ${numeric.toPrecision(8)} (|diff| ${Math.abs(a - numeric).toExponential(2)} > ${tol.toExponential(2)})`);
          }
        }
      }
    });
    return { count, bad };
  });
  if (failures.count > 0) {
    throw new AssertionError({
      message: `gradCheck: ${failures.count} gradient element(s) disagree with finite differences (eps ${eps}, atol ${atol}, rtol ${rtol}):\n  ${failures.bad.join('\n  ')}`,
    });
  }
}

// Deterministic weights in ±[0.5, 1.5] (mulberry32), so every output element matters and the
// check does not touch the global generator.
function projectionWeights(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    w[i] = (u < 0.5 ? -1 : 1) * (0.5 + 2 * Math.abs(u - 0.5));
  }
  return w;
}

function unravel(j: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = j % shape[d]!;
    j = Math.floor(j / shape[d]!);
  }
  return idx;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
