// Deterministic inputs shared with make_reference.py, and a gradient check for module parameters.
import { AssertionError } from 'node:assert';
import { noGrad, tensor, tidy, type DType, type Tensor } from '../../src/core/index.js';
import type { Module } from '../../src/nn/index.js';

/** Element i = ((i·a + b) mod m − ⌊m/2⌋)·scale, row-major (same formula as make_reference.py). */
export function seq(shape: number[], a: number, b: number, m: number, scale: number, dtype: DType = 'float64'): Tensor {
  const n = shape.reduce((p, s) => p * s, 1);
  const v = Float64Array.from({ length: n }, (_, i) => (((i * a + b) % m) - Math.floor(m / 2)) * scale);
  return tensor(v, { shape, dtype });
}

/**
 * Checks the gradients autograd accumulates into a float64 module's parameters against central
 * differences of s = Σ wᵢ·forward()ᵢ, perturbing each parameter element in place.
 */
export function paramGradCheck(module: Module, forward: () => Tensor, opts: { eps?: number; atol?: number; rtol?: number } = {}): void {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-4;
  const params = module.namedParameters();
  const bad: string[] = [];
  tidy(() => {
    const out0 = forward();
    const w = tensor(Float64Array.from({ length: out0.size }, (_, i) => 0.5 + ((i * 7) % 5) / 4), { shape: out0.shape });
    module.zeroGrad();
    out0.mul(w).sum().backward();
    const project = (): number => tidy(() => noGrad(() => forward().mul(w).sum().item()));
    for (const [name, p] of params) {
      const g = p.grad;
      if (g === null) throw new AssertionError({ message: `paramGradCheck: ${name} received no gradient` });
      const analytic = g.toArray() as Float64Array;
      const x0 = Float64Array.from(p.toArray() as Float64Array);
      const set = (v: Float64Array): void => tidy(() => noGrad(() => void p.copy_(tensor(v, { shape: p.shape }))));
      for (let j = 0; j < x0.length; j++) {
        const xp = x0.slice();
        xp[j] = x0[j]! + eps;
        set(xp);
        const sp = project();
        xp[j] = x0[j]! - eps;
        set(xp);
        const sm = project();
        set(x0);
        const numeric = (sp - sm) / (2 * eps);
        if (!(Math.abs(analytic[j]! - numeric) <= atol + rtol * Math.abs(numeric))) {
          bad.push(`${name}[${j}]: autograd ${analytic[j]}, finite difference ${numeric}`);
        }
      }
    }
    module.zeroGrad();
  });
  if (bad.length > 0) throw new AssertionError({ message: `paramGradCheck: ${bad.length} mismatch(es):\n  ${bad.slice(0, 6).join('\n  ')}` });
}
