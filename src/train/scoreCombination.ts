// Object-Bank-style combination of several trained runs (WELDON CVPR 2016 / TPAMI 2019 §6.1,
// WILDCAT CVPR 2017 §3.4: "a different model is learned for each scale and they are combined with
// Object Bank [Li et al. 2010] strategy"): the per-class scores of the members become the features
// of one linear classifier per class, learned on a validation split:
//   s_c(x) = Σ_r a_{c,r} · s_{r,c}(x) + b_c
// fitted by L2-regularized logistic regression (the weights a penalized, the bias not), solved
// exactly by Newton's method: R + 1 unknowns per class. A COMBO folder holds `combination.json`.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFileError } from '../core/index.js';
import { writeFileAtomic } from '../io/index.js';

/** The file of a COMBO folder. */
export const COMBINATION_FILE = 'combination.json';
const KIND = 'wildcat-ts-combination/1';

/** A learned combination (what combination.json holds). */
export interface ScoreCombination {
  kind: typeof KIND;
  /** Member run folders (absolute paths), in weight order. */
  runs: string[];
  classNames: string[];
  /** [C][R]: weight of run r for class c. */
  weights: number[][];
  /** [C] */
  bias: number[];
  /** The L2 penalty λ on the weights (λ/2 ‖a_c‖²). */
  l2: number;
  /** Where the weights were learned. */
  fittedOn: { data: string; split: string; images: number };
}

/** The L2 penalty of `wildcat combine` (--l2): mild, the validation sets here have a few hundred images. */
export const COMBINATION_DEFAULTS = Object.freeze({ l2: 1 });

/**
 * Fits one logistic regression per class on the members' scores.
 * @param memberScores R arrays [N × C] (row-major) of pooled scores, one per member
 * @param labels [N × C] in {1, −1, 0 (ignored)}
 * @returns weights [C][R] and bias [C]; a class without positives or without negatives gets
 * weights 0 and the bias of its single label (±∞ is avoided: ±10).
 * @example fitScoreCombination([a, b], labels, 20, { l2: 1 }) // { weights, bias }
 */
export function fitScoreCombination(memberScores: readonly Float32Array[], labels: Int8Array, numClasses: number, opts: { l2?: number } = {}): { weights: number[][]; bias: number[] } {
  const l2 = opts.l2 ?? COMBINATION_DEFAULTS.l2;
  if (!(l2 > 0)) throw new RangeError(`fitScoreCombination: l2 must be > 0, got ${l2}`);
  const R = memberScores.length;
  if (R === 0) throw new RangeError('fitScoreCombination: no member');
  const C = numClasses;
  const N = labels.length / C;
  if (!Number.isInteger(N)) throw new RangeError(`fitScoreCombination: ${labels.length} labels for ${C} classes`);
  memberScores.forEach((s, r) => {
    if (s.length !== N * C) throw new RangeError(`fitScoreCombination: member ${r} has ${s.length} scores, expected ${N} × ${C}`);
  });
  const weights: number[][] = [];
  const bias: number[] = [];
  for (let c = 0; c < C; c++) {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < N; i++) {
      const v = labels[i * C + c]!;
      if (v === 0) continue;
      x.push(memberScores.map((s) => s[i * C + c]!));
      y.push(v > 0 ? 1 : -1);
    }
    const pos = y.filter((v) => v > 0).length;
    if (pos === 0 || pos === y.length) {
      weights.push(new Array(R).fill(0));
      bias.push(pos === 0 ? -10 : 10);
      continue;
    }
    const theta = newtonLogistic(x, y, l2);
    weights.push(theta.slice(0, R));
    bias.push(theta[R]!);
  }
  return { weights, bias };
}

/** Combined scores [N × C] of the members' scores with a fitted combination. */
export function combineScores(memberScores: readonly Float32Array[], weights: readonly (readonly number[])[], bias: readonly number[]): Float32Array {
  const C = bias.length;
  const N = memberScores[0]!.length / C;
  const out = new Float32Array(N * C);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < C; c++) {
      let v = bias[c]!;
      for (let r = 0; r < memberScores.length; r++) v += weights[c]![r]! * memberScores[r]![i * C + c]!;
      out[i * C + c] = v;
    }
  }
  return out;
}

/**
 * Minimizes Σ_i log(1 + exp(−y_i (a·x_i + b))) + (λ/2)‖a‖² by Newton's method with a halving
 * line search; returns [a…, b].
 */
function newtonLogistic(x: number[][], y: number[], l2: number): number[] {
  const d = x[0]!.length + 1;
  const theta = new Array<number>(d).fill(0);
  const objective = (t: number[]): number => {
    let f = 0;
    for (let i = 0; i < x.length; i++) f += softplus(-y[i]! * dot(t, x[i]!));
    for (let k = 0; k < d - 1; k++) f += 0.5 * l2 * t[k]! * t[k]!;
    return f;
  };
  let f = objective(theta);
  for (let iter = 0; iter < 100; iter++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < x.length; i++) {
      const m = y[i]! * dot(theta, x[i]!);
      const p = sigmoid(-m); // −∂/∂m of softplus(−m)
      const w = p * (1 - p);
      for (let a = 0; a < d; a++) {
        const xa = a < d - 1 ? x[i]![a]! : 1;
        g[a] = g[a]! - y[i]! * p * xa;
        const row = H[a]!;
        for (let b = 0; b < d; b++) row[b] = row[b]! + w * xa * (b < d - 1 ? x[i]![b]! : 1);
      }
    }
    for (let k = 0; k < d - 1; k++) {
      g[k] = g[k]! + l2 * theta[k]!;
      H[k]![k] = H[k]![k]! + l2;
    }
    // A tiny ridge on the bias keeps H invertible when every score of a class is equal.
    H[d - 1]![d - 1] = H[d - 1]![d - 1]! + 1e-12;
    const step = solve(H, g);
    let t = 1;
    let next = theta.map((v, k) => v - t * step[k]!);
    let fn = objective(next);
    while (fn > f && t > 1e-10) {
      t /= 2;
      next = theta.map((v, k) => v - t * step[k]!);
      fn = objective(next);
    }
    const moved = Math.max(...step.map((s) => Math.abs(s * t)));
    if (fn <= f) {
      theta.splice(0, d, ...next);
      f = fn;
    }
    if (moved < 1e-12) break;
  }
  return theta;
}

function dot(t: number[], xi: number[]): number {
  let v = t[t.length - 1]!;
  for (let k = 0; k < xi.length; k++) v += t[k]! * xi[k]!;
  return v;
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves H s = g (H symmetric positive definite, small) by Gaussian elimination with pivoting. */
function solve(H: number[][], g: number[]): number[] {
  const n = g.length;
  const A = H.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(A[r]![col]!) > Math.abs(A[piv]![col]!)) piv = r;
    [A[col], A[piv]] = [A[piv]!, A[col]!];
    const p = A[col]![col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = A[r]![col]! / p;
      const target = A[r]!;
      const source = A[col]!;
      for (let k = col; k <= n; k++) target[k] = target[k]! - f * source[k]!;
    }
  }
  return A.map((row, i) => row[n]! / row[i]!);
}

/** Writes COMBO/combination.json atomically. */
export function saveScoreCombination(dir: string, c: Omit<ScoreCombination, 'kind'>): string {
  const path = join(dir, COMBINATION_FILE);
  writeFileAtomic(path, JSON.stringify({ kind: KIND, ...c, runs: c.runs.map((r) => resolve(r)) }, null, 2) + '\n');
  return path;
}

/** True when `dir` holds a combination (not a single run). */
export function isScoreCombination(dir: string): boolean {
  return existsSync(join(dir, COMBINATION_FILE));
}

/** Reads and checks COMBO/combination.json. */
export function loadScoreCombination(dir: string): ScoreCombination {
  const path = join(dir, COMBINATION_FILE);
  let c: ScoreCombination;
  try {
    c = JSON.parse(readFileSync(path, 'utf8')) as ScoreCombination;
  } catch (e) {
    throw new DataFileError(path, `cannot read the combination (${(e as Error).message})`);
  }
  const ok = c !== null && typeof c === 'object' && c.kind === KIND &&
    Array.isArray(c.runs) && c.runs.length > 0 && c.runs.every((r) => typeof r === 'string' && r !== '' && !r.includes('\0')) &&
    Array.isArray(c.classNames) && c.classNames.length > 0 && c.classNames.every((n) => typeof n === 'string') &&
    Array.isArray(c.weights) && c.weights.length === c.classNames.length &&
    c.weights.every((w) => Array.isArray(w) && w.length === c.runs.length && w.every(Number.isFinite)) &&
    Array.isArray(c.bias) && c.bias.length === c.classNames.length && c.bias.every(Number.isFinite);
  if (!ok) throw new DataFileError(path, `not a combination written by \`wildcat combine\` (kind ${KIND}, runs [paths], classNames [names], weights [classes][runs], bias [classes]); run wildcat combine again`);
  return c;
}
