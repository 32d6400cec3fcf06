// Dropout layers: active in training mode only.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { dropout, dropout2d } from '../functional.js';

/** Zeroes elements with probability p and rescales by 1/(1−p) in training mode; identity in eval mode. */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;

  constructor(p = 0.5, opts: { inplace?: boolean } = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
    this.p = p;
    this.inplace = opts.inplace ?? false;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, inplace: this.inplace });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels of [N, C, H, W] with probability p in training mode. */
export class Dropout2d extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout2d: p must be in [0, 1], got ${p}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, { training: this.training });
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
