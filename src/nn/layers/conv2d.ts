// 2-D convolution layer.
import { zeros, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { conv2d } from '../functional.js';
import { defaultLayerInit_ } from '../init.js';
import { pair, type Size2 } from '../pair.js';

export interface Conv2dLayerOptions {
  stride?: Size2;
  /** Zero padding per side, or 'same' / 'valid'. Default 0. */
  padding?: Size2 | 'same' | 'valid';
  dilation?: Size2;
  /** Channel groups: in and out channels must both be divisible by it. Default 1. */
  groups?: number;
  /** Learn an additive bias per output channel. Default true. */
  bias?: boolean;
}

/**
 * Convolution with a learned weight [out, in/groups, kH, kW] and optional bias [out], initialised
 * as PyTorch does (uniform on ±1/√fan_in). Parameters: `weight`, `bias`.
 * @example const conv = new Conv2d(3, 64, 7, { stride: 2, padding: 3, bias: false });
 */
export class Conv2d extends Module {
  declare weight: Tensor;
  declare bias: Tensor | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, opts: Conv2dLayerOptions = {}) {
    super();
    const groups = opts.groups ?? 1;
    for (const [what, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['groups', groups]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`Conv2d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new RangeError(`Conv2d: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize, 'Conv2d kernelSize');
    this.stride = pair(opts.stride ?? 1, 'Conv2d stride');
    this.padding = typeof opts.padding === 'string' ? opts.padding : pair(opts.padding ?? 0, 'Conv2d padding');
    this.dilation = pair(opts.dilation ?? 1, 'Conv2d dilation');
    this.groups = groups;
    const weight = zeros([outChannels, inChannels / groups, ...this.kernelSize]);
    const bias = opts.bias ?? true ? zeros([outChannels]) : null;
    defaultLayerInit_(weight, bias);
    this.registerParameter('weight', weight);
    this.registerParameter('bias', bias);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
  }

  override extraRepr(): string {
    const parts = [`${this.inChannels}, ${this.outChannels}`, `kernelSize=[${this.kernelSize.join(', ')}]`, `stride=[${this.stride.join(', ')}]`];
    if (this.padding === 'same' || this.padding === 'valid' || this.padding.some((p) => p !== 0)) parts.push(`padding=${JSON.stringify(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=[${this.dilation.join(', ')}]`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push('bias=false');
    return parts.join(', ');
  }
}
