// Batch normalisation of [N, C, H, W] maps.
import { noGrad, ones, zeros, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { batchNorm } from '../functional.js';

export interface BatchNorm2dOptions {
  /** Added to the variance for stability. Default 1e-5. */
  eps?: number;
  /** Weight of each batch in the running statistics; null for a cumulative average. Default 0.1. */
  momentum?: number | null;
  /** Learn a scale `weight` (γ, ones) and shift `bias` (β, zeros). Default true. */
  affine?: boolean;
  /** Keep running_mean / running_var / num_batches_tracked buffers. Default true. */
  trackRunningStats?: boolean;
}

/**
 * BatchNorm2d as PyTorch: in training mode it normalises with the batch statistics, updates
 * `running_mean`/`running_var` (momentum 0.1, unbiased variance) and increments
 * `num_batches_tracked` (int64); in eval mode it uses the running statistics.
 * Parameters `weight`, `bias`; buffers `running_mean`, `running_var`, `num_batches_tracked`.
 */
export class BatchNorm2d extends Module {
  declare weight: Tensor | null;
  declare bias: Tensor | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(numFeatures: number, opts: BatchNorm2dOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new RangeError(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.registerParameter('weight', this.affine ? ones([numFeatures]) : null);
    this.registerParameter('bias', this.affine ? zeros([numFeatures]) : null);
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures]) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures]) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int64' }) : null);
  }

  /** Checkpoints written before PyTorch 0.4.1 (and some model zoos) lack this counter. */
  protected override optionalStateKeys(): string[] {
    return ['num_batches_tracked'];
  }

  /** Resets the running statistics to mean 0, variance 1 and the counter to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  forward(x: Tensor): Tensor {
    const shape = x.shape;
    if (shape.length !== 4 || shape[1] !== this.numFeatures) {
      throw new RangeError(`BatchNorm2d(${this.numFeatures}): expected input [N, ${this.numFeatures}, H, W], got [${shape.join(', ')}]`);
    }
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked !== null) {
      const n = this.num_batches_tracked;
      noGrad(() => n.add_(1));
      if (this.momentum === null) momentum = 1 / n.item();
    }
    const useBatchStats = this.training || this.running_mean === null;
    if (useBatchStats && shape[0]! * shape[2]! * shape[3]! <= 1) {
      throw new RangeError(`BatchNorm2d: expected more than 1 value per channel in training mode, got input [${shape.join(', ')}]`);
    }
    // Running statistics are updated only in training mode (and read only in eval mode).
    const track = !this.training || this.trackRunningStats;
    return batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: useBatchStats,
      momentum,
      eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}
