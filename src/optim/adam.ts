// Adam (Kingma & Ba 2015) with optional AMSGrad and L2 weight decay, step for step the update
// of torch.optim.Adam; the shared machinery also serves AdamW (decoupled weight decay).
import { op, zerosLike, type Tensor } from '../core/index.js';
import { Optimizer, type ParamGroup, type ResolvedGroup } from './optimizer.js';
import * as fe from './foreach.js';

export interface AdamHyperParams {
  lr: number;
  /** Decay of the first moment (PyTorch's betas[0]). */
  beta1: number;
  /** Decay of the second moment (PyTorch's betas[1]). */
  beta2: number;
  /** Added to the bias-corrected sqrt of the second moment. */
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay p -= lr·weightDecay·p. */
  weightDecay: number;
  /** AMSGrad: normalise by the running maximum of the second moment. */
  amsgrad: boolean;
}

export interface AdamOptions extends Partial<AdamHyperParams> {
  /**
   * Update runs of parameters (about 64K elements each, `foreachBudget`) with ATen's
   * multi-tensor ops instead of one op per parameter: bit-identical results, fewer native calls,
   * up to ~2x faster steps on CPU (most for many small tensors). Default true.
   */
  foreach?: boolean;
}

/** torch.optim.Adam's defaults (betas split into beta1/beta2). */
export const ADAM_DEFAULTS: Readonly<AdamHyperParams> = Object.freeze({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false });

/**
 * The Adam family. With t the parameter's own step count (parameters without a gradient in a
 * step are skipped and do not count it) and g the gradient (+ weightDecay·p for Adam):
 *   m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  v̂ = amsgrad ? (vmax = max(vmax, v)) : v;
 *   p −= lr/(1−β1^t) · m / (sqrt(v̂)/sqrt(1−β2^t) + eps).
 * AdamW first multiplies p by (1 − lr·weightDecay) instead of adding the L2 gradient.
 */
export abstract class AdamFamily extends Optimizer<AdamHyperParams> {
  readonly foreach: boolean;
  /** Elements per multi-tensor run (see runsBySize). */
  foreachBudget = fe.FOREACH_BUDGET;
  readonly #decoupled: boolean;

  protected constructor(params: Tensor[] | ParamGroup<AdamHyperParams>[], options: AdamOptions, defaults: AdamHyperParams, name: string, decoupled: boolean) {
    const { foreach = true, ...rest } = options ?? {};
    const extra = Object.keys(rest).filter((k) => !(k in defaults));
    if (extra.length > 0) throw new TypeError(`${name}: unknown option(s) ${extra.join(', ')}; known: ${Object.keys(defaults).join(', ')}, foreach`);
    super(params, { ...defaults, ...dropUndefined(rest) }, name);
    this.foreach = foreach;
    this.#decoupled = decoupled;
  }

  protected validate(g: ResolvedGroup<AdamHyperParams>, where: string): void {
    if (!(g.lr >= 0)) throw new RangeError(`${where}: lr must be >= 0, got ${g.lr}`);
    if (!(g.eps >= 0)) throw new RangeError(`${where}: eps must be >= 0, got ${g.eps}`);
    if (!(g.beta1 >= 0 && g.beta1 < 1)) throw new RangeError(`${where}: beta1 must be in [0, 1), got ${g.beta1}`);
    if (!(g.beta2 >= 0 && g.beta2 < 1)) throw new RangeError(`${where}: beta2 must be in [0, 1), got ${g.beta2}`);
    if (!(g.weightDecay >= 0)) throw new RangeError(`${where}: weightDecay must be >= 0, got ${g.weightDecay}`);
  }

  /** Creates missing moments and counts the step; returns each parameter's step number. */
  #prepare(group: ResolvedGroup<AdamHyperParams>, params: Tensor[]): { m: Tensor[]; v: Tensor[]; vmax: Tensor[]; steps: number[] } {
    const m: Tensor[] = [];
    const v: Tensor[] = [];
    const vmax: Tensor[] = [];
    const steps: number[] = [];
    for (const p of params) {
      const s = this.stateOf(p);
      if (s.tensors.exp_avg === undefined) {
        s.scalars.step = 0;
        this.setState(p, 'exp_avg', zerosLike(p));
        this.setState(p, 'exp_avg_sq', zerosLike(p));
      }
      if (group.amsgrad && s.tensors.max_exp_avg_sq === undefined) this.setState(p, 'max_exp_avg_sq', zerosLike(p));
      s.scalars.step = (s.scalars.step ?? 0) + 1;
      m.push(s.tensors.exp_avg!);
      v.push(s.tensors.exp_avg_sq!);
      if (group.amsgrad) vmax.push(s.tensors.max_exp_avg_sq!);
      steps.push(s.scalars.step);
    }
    return { m, v, vmax, steps };
  }

  protected update(group: ResolvedGroup<AdamHyperParams>, params: Tensor[], grads: Tensor[]): void {
    if (!this.foreach) return this.#updateEach(group, params, grads);
    for (const [a, b] of fe.runsBySize(params, this.foreachBudget)) {
      this.#updateForeach(group, params.slice(a, b), grads.slice(a, b));
    }
  }

  #updateForeach(group: ResolvedGroup<AdamHyperParams>, params: Tensor[], grads: Tensor[]): void {
    const { lr, beta1, beta2, eps, weightDecay, amsgrad } = group;
    const { m, v, vmax, steps } = this.#prepare(group, params);
    let g = grads;
    if (weightDecay !== 0) {
      if (this.#decoupled) fe.mulScalar_(params, 1 - lr * weightDecay);
      else g = fe.add(grads, params, weightDecay);
    }
    fe.mulScalar_(m, beta1);
    fe.add_(m, g, 1 - beta1);
    fe.mulScalar_(v, beta2);
    fe.addcmul_(v, g, g, 1 - beta2);
    if (amsgrad) fe.maximum_(vmax, v);
    const denom = fe.sqrt(amsgrad ? vmax : v);
    // Bias corrections depend on each parameter's step count: update runs of equal counts
    // together (normally the whole group is one run).
    for (const idx of runsOfEqualSteps(steps)) {
      const t = steps[idx[0]!]!;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      const dn = idx.length === steps.length ? denom : idx.map((i) => denom[i]!);
      fe.divScalar_(dn, bc2Sqrt);
      fe.addScalar_(dn, eps);
      const pick = <T>(a: T[]): T[] => (idx.length === steps.length ? a : idx.map((i) => a[i]!));
      fe.addcdiv_(pick(params), pick(m), dn, -stepSize);
    }
    // Free temporaries now (not at the end of the step) so the allocator reuses warm memory.
    disposeAll(denom);
    if (g !== grads) disposeAll(g);
  }

  #updateEach(group: ResolvedGroup<AdamHyperParams>, params: Tensor[], grads: Tensor[]): void {
    const { lr, beta1, beta2, eps, weightDecay, amsgrad } = group;
    const { m, v, vmax, steps } = this.#prepare(group, params);
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      let g = grads[i]!;
      if (weightDecay !== 0) {
        if (this.#decoupled) p.mul_(1 - lr * weightDecay);
        else g = g.add(p, weightDecay);
      }
      m[i]!.mul_(beta1).add_(g, 1 - beta1);
      v[i]!.mul_(beta2).addcmul_(g, g, 1 - beta2);
      const t = steps[i]!;
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      let src = v[i]!;
      if (amsgrad) src = maximumInto(vmax[i]!, src);
      const denom = src.sqrt().div_(bc2Sqrt).add_(eps);
      p.addcdiv_(m[i]!, denom, -stepSize);
      // Free temporaries now (not at the end of the step) so the allocator reuses warm memory.
      denom.dispose();
      if (g !== grads[i]) g.dispose();
    }
  }
}

/**
 * Adam as torch.optim.Adam (defaults lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay).
 * @example const opt = new Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends AdamFamily {
  constructor(params: Tensor[] | ParamGroup<AdamHyperParams>[], options: AdamOptions = {}) {
    super(params, options, ADAM_DEFAULTS, 'Adam', false);
  }
}

/** out = max(out, other), in place. */
function maximumInto(out: Tensor, other: Tensor): Tensor {
  return op('aten::maximum', 'out')(out, other, out);
}

function disposeAll(ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

/** Index lists of parameters sharing a step count, in order of first appearance. */
function runsOfEqualSteps(steps: number[]): number[][] {
  const first = steps[0];
  if (steps.every((s) => s === first)) return [steps.map((_, i) => i)];
  const byStep = new Map<number, number[]>();
  steps.forEach((s, i) => {
    let l = byStep.get(s);
    if (l === undefined) byStep.set(s, (l = []));
    l.push(i);
  });
  return [...byStep.values()];
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
