// Stateless layer and loss functions (torch.nn.functional). Each calls one ATen operator where
// one exists, so the kernel and its gradient come from libtorch.
import { expectOneOf, op, tidy, type Tensor } from '../core/index.js';
import { pair, type Size2 } from './pair.js';

/** How a loss reduces its per-element values. */
export type Reduction = 'none' | 'mean' | 'sum';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

/**
 * The one check of a loss's `reduction` option: undefined means 'mean'; anything outside
 * `allowed` is a RangeError (a TypeError if not a string), in the words of src/core/errors.ts.
 */
export function checkReduction<R extends Reduction>(fn: string, r: R | undefined, allowed: readonly R[]): R {
  return expectOneOf(`option reduction of ${fn}`, r ?? 'mean', allowed);
}

// at::Reduction::Reduction enum values.
function reductionCode(r: Reduction | undefined, fn: string): number {
  return REDUCTIONS.indexOf(checkReduction(fn, r, REDUCTIONS));
}

function reduce(t: Tensor, r: Reduction): Tensor {
  return r === 'none' ? t : r === 'sum' ? t.sum() : t.mean();
}

// ---- convolution, normalisation, linear --------------------------------------------------

export interface Conv2dOptions {
  stride?: Size2;
  /** Zero padding per side, or 'same' (output size = input size, stride 1 only) / 'valid' (none). */
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  groups?: number;
}

/**
 * 2-D convolution (cross-correlation) of x [N, C, H, W] with weight [O, C/groups, kH, kW].
 * @example conv2d(x, w, b, { padding: 1 })
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const stride = pair(opts.stride ?? 1, 'conv2d stride');
  const dilation = pair(opts.dilation ?? 1, 'conv2d dilation');
  const groups = opts.groups ?? 1;
  const padding = opts.padding ?? 0;
  if (typeof padding === 'string') {
    if (padding !== 'same' && padding !== 'valid') throw new TypeError(`conv2d: padding must be a number, [h, w], 'same' or 'valid', got '${padding}'`);
    return op('aten::conv2d', 'padding')(x, weight, bias, stride, padding, dilation, groups);
  }
  return op('aten::conv2d')(x, weight, bias, stride, pair(padding, 'conv2d padding'), dilation, groups);
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Normalise with batch statistics (and update the running ones if given). Default false. */
  training?: boolean;
  /** Weight of the new batch statistic in the running average. Default 0.1. */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over the channel dimension (dim 1). In training, uses the batch mean and
 * biased variance and updates runningMean/runningVar in place (running variance gets the
 * unbiased batch variance, as PyTorch); otherwise uses the running statistics.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  const training = opts.training ?? false;
  if (!training && (runningMean === null || runningVar === null)) {
    throw new TypeError('batchNorm: evaluation mode (training: false) needs runningMean and runningVar');
  }
  return op('aten::batch_norm')(x, opts.weight ?? null, opts.bias ?? null, runningMean, runningVar, training, opts.momentum ?? 0.1, opts.eps ?? 1e-5, true);
}

/** x·weightᵀ + bias, for x [..., in] and weight [out, in]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return op('aten::linear')(x, weight, bias);
}

// ---- activations -------------------------------------------------------------------------

/** max(x, 0); `inplace` overwrites x (not allowed on a leaf that requires grad). */
export function relu(x: Tensor, opts: { inplace?: boolean } = {}): Tensor {
  return opts.inplace ? op('aten::relu_')(x) : op('aten::relu')(x);
}

/** exp(x) / Σ exp(x) along dim. */
export function softmax(x: Tensor, dim: number): Tensor {
  return op('aten::softmax', 'int')(x, dim, null);
}

/** log(softmax(x)) along dim, computed stably. */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return op('aten::log_softmax', 'int')(x, dim, null);
}

// ---- pooling -----------------------------------------------------------------------------

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
  /** Round the output size up instead of down. */
  ceilMode?: boolean;
}

/** Max over kernelSize windows. */
export function maxPool2d(x: Tensor, kernelSize: Size2, opts: MaxPool2dOptions = {}): Tensor {
  const k = pair(kernelSize, 'maxPool2d kernelSize');
  const s = pair(opts.stride ?? k, 'maxPool2d stride');
  return op('aten::max_pool2d')(x, k, s, pair(opts.padding ?? 0, 'maxPool2d padding'), pair(opts.dilation ?? 1, 'maxPool2d dilation'), opts.ceilMode ?? false);
}

export interface AvgPool2dOptions {
  /** Default: the kernel size. */
  stride?: Size2;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padded zeros in the average (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size. */
  divisorOverride?: number | null;
}

/** Mean over kernelSize windows. */
export function avgPool2d(x: Tensor, kernelSize: Size2, opts: AvgPool2dOptions = {}): Tensor {
  const k = pair(kernelSize, 'avgPool2d kernelSize');
  const s = pair(opts.stride ?? k, 'avgPool2d stride');
  return op('aten::avg_pool2d')(x, k, s, pair(opts.padding ?? 0, 'avgPool2d padding'), opts.ceilMode ?? false, opts.countIncludePad ?? true, opts.divisorOverride ?? null);
}

/** Output size of an adaptive pool: a number, or [h, w] where null keeps that input size. */
export type AdaptiveSize = number | [number | null, number | null];

/** Averages over the bins that split [H, W] into outputSize (PyTorch's bin boundaries). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const shape = x.shape;
  if (shape.length !== 3 && shape.length !== 4) throw new RangeError(`adaptiveAvgPool2d: expected a [N, C, H, W] or [C, H, W] input, got [${shape.join(', ')}]`);
  const [h, w] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const size = [h ?? shape[shape.length - 2]!, w ?? shape[shape.length - 1]!];
  return op('aten::adaptive_avg_pool2d')(x, size);
}

// ---- regularisation ----------------------------------------------------------------------

function checkP(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: probability p must be in [0, 1], got ${p}`);
}

/**
 * Zeroes each element with probability p and scales the rest by 1/(1−p) when `training`
 * (default true); the identity otherwise.
 */
export function dropout(x: Tensor, p = 0.5, opts: { training?: boolean; inplace?: boolean } = {}): Tensor {
  checkP(p, 'dropout');
  const training = opts.training ?? true;
  return opts.inplace ? op('aten::dropout_')(x, p, training) : op('aten::dropout')(x, p, training);
}

/** Zeroes whole channels of [N, C, H, W] with probability p (spatial dropout). */
export function dropout2d(x: Tensor, p = 0.5, opts: { training?: boolean } = {}): Tensor {
  checkP(p, 'dropout2d');
  return op('aten::feature_dropout')(x, p, opts.training ?? true);
}

// ---- resampling --------------------------------------------------------------------------

export interface InterpolateOptions {
  /** Output [h, w] (or one number for both). Give this or scaleFactor. */
  size?: Size2;
  /** Output = floor(input × scale); the scale is also used for the coordinate mapping, as PyTorch. */
  scaleFactor?: number | [number, number];
  /** Default 'nearest', as PyTorch. */
  mode?: 'bilinear' | 'nearest';
  /**
   * Bilinear only: true maps the corner pixel centres of input and output onto each other;
   * false (default) maps pixel edges (half-pixel centres), as PyTorch's default.
   */
  alignCorners?: boolean;
}

/**
 * Resizes [N, C, H, W] maps (class heatmaps to image size, for instance).
 * @example interpolate(maps, { size: [224, 224], mode: 'bilinear' })
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  const mode = opts.mode ?? 'nearest';
  if (x.rank !== 4) throw new RangeError(`interpolate: expected a [N, C, H, W] input, got [${x.shape.join(', ')}]`);
  if ((opts.size === undefined) === (opts.scaleFactor === undefined)) {
    throw new TypeError('interpolate: give exactly one of size and scaleFactor');
  }
  const size = opts.size === undefined ? null : pair(opts.size, 'interpolate size');
  const scales = opts.scaleFactor === undefined ? null : typeof opts.scaleFactor === 'number' ? [opts.scaleFactor, opts.scaleFactor] : [...opts.scaleFactor];
  if (scales !== null && scales.some((s) => !(s > 0))) throw new RangeError(`interpolate: scaleFactor must be positive, got ${JSON.stringify(opts.scaleFactor)}`);
  if (mode === 'bilinear') return op('aten::upsample_bilinear2d', 'vec')(x, size, opts.alignCorners ?? false, scales);
  if (mode === 'nearest') {
    if (opts.alignCorners !== undefined) throw new TypeError("interpolate: alignCorners only applies to mode 'bilinear'");
    return op('aten::upsample_nearest2d', 'vec')(x, size, scales);
  }
  throw new TypeError(`interpolate: mode must be 'bilinear' or 'nearest', got '${String(mode)}'`);
}

// ---- losses ------------------------------------------------------------------------------

export interface BceWithLogitsOptions {
  /**
   * Per-element weight, broadcast to the logits' shape. A 0/1 mask leaves entries out (for
   * instance `difficult` VOC labels). Note: with reduction 'mean' the weighted sum is divided by
   * the sum of the (broadcast) weights, so a mask gives the mean over the kept entries;
   * PyTorch divides by the element count instead (use reduction 'sum' and divide for that).
   */
  weight?: Tensor | null;
  /** Weight of the positive term per class (broadcast along the last dimension). */
  posWeight?: Tensor | null;
  /** Default 'mean'. */
  reduction?: Reduction;
}

/**
 * Multi-label logistic loss: −[p·y·log σ(x) + (1−y)·log(1−σ(x))] per element (p = posWeight),
 * computed stably from the logits, times `weight`, reduced.
 * @example binaryCrossEntropyWithLogits(scores, labels, { weight: notDifficult })
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const reduction = checkReduction('binaryCrossEntropyWithLogits()', opts.reduction, REDUCTIONS);
  const code = REDUCTIONS.indexOf(reduction);
  const weight = opts.weight ?? null;
  const posWeight = opts.posWeight ?? null;
  checkSameShape(logits, targets, 'binaryCrossEntropyWithLogits');
  const bce = op('aten::binary_cross_entropy_with_logits');
  if (weight === null || reduction !== 'mean') return bce(logits, targets, weight, posWeight, code);
  return tidy(() => {
    const total = bce(logits, targets, weight, posWeight, 2) as Tensor;
    // All-zero weights make the sum 0 as well: dividing by a tiny number then gives 0, not NaN.
    const weightSum = weight.expand(logits.shape).sum().to(total.dtype).clamp(1e-12);
    return total.div(weightSum);
  });
}

export interface CrossEntropyOptions {
  /** Per-class weight [C]. */
  weight?: Tensor | null;
  /** Default 'mean' (over non-ignored targets, weighted as PyTorch). */
  reduction?: Reduction;
  /** Targets equal to this class index are left out. Default -100. */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution by this amount. Default 0. */
  labelSmoothing?: number;
}

/**
 * Multi-class softmax loss of logits [N, C] (or [N, C, ...]) against int64 class indices [N]
 * (or class probabilities of the logits' shape).
 * @example crossEntropy(logits, labels, { labelSmoothing: 0.1 })
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const code = reductionCode(opts.reduction, 'crossEntropy()');
  const ls = opts.labelSmoothing ?? 0;
  if (!(ls >= 0 && ls <= 1)) throw new RangeError(`crossEntropy: labelSmoothing must be in [0, 1], got ${ls}`);
  return op('aten::cross_entropy_loss')(logits, targets, opts.weight ?? null, code, opts.ignoreIndex ?? -100, ls);
}

/**
 * Multi-label one-versus-all loss (torch.nn.MultiLabelSoftMarginLoss): per sample, the mean over
 * the C classes of −[y·log σ(x) + (1−y)·log σ(−x)] (times `weight` [C] if given), then reduced
 * over samples. Equals binaryCrossEntropyWithLogits with reduction 'mean' when unweighted.
 */
export function multiLabelSoftMarginLoss(logits: Tensor, targets: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  const reduction = checkReduction('multiLabelSoftMarginLoss()', opts.reduction, REDUCTIONS);
  checkSameShape(logits, targets, 'multiLabelSoftMarginLoss');
  return tidy(() => {
    const pos = targets.mul(logits.logSigmoid());
    const neg = targets.neg().add(1).mul(logits.neg().logSigmoid());
    let loss = pos.add(neg).neg();
    if (opts.weight) loss = loss.mul(opts.weight);
    const classDim = logits.rank - 1;
    const perSample = loss.sum(classDim).div(logits.shape[classDim]!);
    return reduce(perSample, reduction);
  });
}

/** Squared error (x − y)², reduced (default 'mean'). */
export function mseLoss(x: Tensor, y: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  const code = reductionCode(opts.reduction, 'mseLoss()');
  return op('aten::mse_loss')(x, y, code);
}

function checkSameShape(a: Tensor, b: Tensor, what: string): void {
  const x = a.shape;
  const y = b.shape;
  if (x.length !== y.length || x.some((s, i) => s !== y[i])) {
    throw new RangeError(`${what}: targets have shape [${y.join(', ')}] but logits have shape [${x.join(', ')}]; they must match`);
  }
}
