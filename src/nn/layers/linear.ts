// Fully connected layer.
import { zeros, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { linear } from '../functional.js';
import { defaultLayerInit_ } from '../init.js';

/**
 * y = x·weightᵀ + bias with weight [out, in], initialised as PyTorch (uniform on ±1/√in).
 * @example const fc = new Linear(512, 1000);
 */
export class Linear extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean } = {}) {
    super();
    for (const [what, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`Linear: ${what} must be a non-negative integer, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const weight = zeros([outFeatures, inFeatures]);
    const bias = opts.bias ?? true ? zeros([outFeatures]) : null;
    defaultLayerInit_(weight, bias);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
