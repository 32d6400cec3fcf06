// The comparisons of the lockstep guard (parity/parity.ts), as pure functions over plain arrays so
// the test suite checks them without PyTorch.
//
// Why steps are compared from a common state: both sides run the same libtorch kernels, but a
// formula written another way (a mean summed in another order, log-sum-exp shifted differently)
// rounds differently in the last bit, and training amplifies such a difference about tenfold per
// step (measured here: 1e-7 at step 2, 1e-2 by step 8, with BatchNorm in training mode at lr
// 0.1). Two free-running copies of one recipe therefore part ways within an epoch whatever their
// agreement, which is also why two equivalent trainings end as far apart as two seeds. So each
// step k runs on both sides from OUR state after step k - 1 (weights, BatchNorm statistics,
// momentum buffers); what differs is then that step's computation only.

/** One step compared: the losses, and the weights after it relative to the step's own update. */
export interface StepCheck {
  step: number;
  ours: number;
  torch: number;
  lossDiff: number;
  /** Largest over tensors of ‖w_ours − w_torch‖ / ‖w_ours − w_before‖ (L2 norms over the tensor). */
  updateError: number;
  tensor: string;
  /** ‖w_ours − w_torch‖ / ‖w_ours − w_before‖ over all tensors together. */
  globalError: number;
  /** Tensors present on one side only. */
  missing: string[];
}

/** Tolerances of the step comparison. */
export interface Tolerances {
  /** |Δloss| ≤ lossAbs + lossRel·|loss|. */
  lossAbs: number;
  lossRel: number;
  /** Per tensor: ‖Δw‖ ≤ updateRel · ‖update of the step‖ (L2). */
  updateRel: number;
}

/**
 * Measured on every case: float32 rounding leaves a step's weights off by at most 8e-4 of the
 * update in the worst tensor (small BatchNorm weights, whose gradients cancel), 1e-5 in most, and
 * the loss by 1e-7. The weakest hyper-parameter change tried, weight decay 1e-4 → 2e-4, moves
 * the worst tensor by 4e-2 to 1e-1 of its update at every step; momentum 0.9 → 0.8 and a backbone
 * lr 10 % higher by ~1e-1. The tolerance sits between, 12× above the noise.
 */
export const DEFAULT_TOLERANCES: Readonly<Tolerances> = Object.freeze({ lossAbs: 1e-6, lossRel: 1e-5, updateRel: 1e-2 });

/** Compares step `step` (1-based) of both sides, both started from `before`. */
export function checkStep(
  step: number, ours: number, torch: number,
  before: ReadonlyMap<string, Float64Array>, after: ReadonlyMap<string, Float64Array>, torchAfter: ReadonlyMap<string, Float64Array>,
): StepCheck {
  const missing: string[] = [];
  for (const k of after.keys()) if (!torchAfter.has(k)) missing.push(`${k} (PyTorch lacks it)`);
  for (const k of torchAfter.keys()) if (!after.has(k)) missing.push(`${k} (ours lacks it)`);
  let updateError = 0;
  let tensor = '';
  let diffAll = 0;
  let movedAll = 0;
  for (const [name, a] of after) {
    const b = torchAfter.get(name);
    const w0 = before.get(name);
    if (!b || !w0) continue;
    let err: number;
    if (a.length !== b.length || w0.length !== a.length) {
      err = Infinity;
      missing.push(`${name} (${a.length} values in ours, ${b.length} in PyTorch)`);
    } else {
      let diff = 0;
      let moved = 0;
      for (let i = 0; i < a.length; i++) {
        diff += (a[i]! - b[i]!) ** 2;
        moved += (a[i]! - w0[i]!) ** 2;
      }
      diffAll += diff;
      movedAll += moved;
      // A tensor the step did not move must not move on the other side either.
      err = Number.isNaN(diff) ? Infinity : moved > 0 ? Math.sqrt(diff / moved) : diff === 0 ? 0 : Infinity;
    }
    if (err > updateError || tensor === '') {
      updateError = err;
      tensor = name;
    }
  }
  const globalError = Number.isNaN(diffAll) ? Infinity : movedAll > 0 ? Math.sqrt(diffAll / movedAll) : diffAll === 0 ? 0 : Infinity;
  return { step, ours, torch, lossDiff: Math.abs(ours - torch), updateError, tensor, globalError, missing };
}

/** The verdict over a case's steps. */
export interface CaseVerdict {
  ok: boolean;
  maxLossDiff: number;
  /** Largest overall weight error of a step (all tensors together). */
  maxGlobalError: number;
  /** The worst step's update error, its tensor and step. */
  worstUpdate: number;
  worstTensor: string;
  worstStep: number;
  problems: string[];
}

/** Judges the steps of one case against the tolerances. */
export function judgeSteps(checks: readonly StepCheck[], tol: Tolerances = DEFAULT_TOLERANCES): CaseVerdict {
  const problems: string[] = [];
  let maxLossDiff = 0;
  let maxGlobalError = 0;
  let worst: StepCheck | undefined;
  for (const c of checks) {
    if (!(c.globalError <= maxGlobalError)) maxGlobalError = Number.isNaN(c.globalError) ? Infinity : c.globalError;
    if (!(c.lossDiff <= maxLossDiff)) maxLossDiff = Number.isNaN(c.lossDiff) ? Infinity : c.lossDiff;
    if (!worst || !(c.updateError <= worst.updateError)) worst = c;
    if (!(c.lossDiff <= tol.lossAbs + tol.lossRel * Math.abs(c.torch))) problems.push(`step ${c.step}: loss ours ${c.ours}, PyTorch ${c.torch}`);
    if (!(c.updateError <= tol.updateRel)) problems.push(`step ${c.step}: ${c.tensor} off by ${c.updateError.toExponential(2)} of its update`);
    if (c.missing.length > 0) problems.push(`step ${c.step}: state dicts differ: ${c.missing.join(', ')}`);
  }
  if (checks.length === 0) problems.push('no steps compared');
  return {
    ok: problems.length === 0, maxLossDiff, maxGlobalError, worstUpdate: worst?.updateError ?? 0, worstTensor: worst?.tensor ?? '', worstStep: worst?.step ?? 0,
    // One line per step and kind is plenty: keep the first few.
    problems: problems.length > 6 ? [...problems.slice(0, 6), `… ${problems.length - 6} more`] : problems,
  };
}

/** How many leading steps of two free-running loss traces are bit-identical. */
export function identicalPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && Object.is(a[n], b[n])) n++;
  return n;
}
