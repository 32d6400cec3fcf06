// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as torch.optim.AdamW.
import { type Tensor } from '../core/index.js';
import { AdamFamily, type AdamHyperParams, type AdamOptions } from './adam.js';
import { type ParamGroup } from './optimizer.js';

/** torch.optim.AdamW's defaults (betas split into beta1/beta2; weight decay 1e-2). */
export const ADAMW_DEFAULTS: Readonly<AdamHyperParams> = Object.freeze({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-2, amsgrad: false });

/**
 * AdamW as torch.optim.AdamW: each step first shrinks p by (1 − lr·weightDecay), then applies
 * the Adam update with the plain gradient (see AdamFamily for the formulas).
 * @example const opt = new AdamW(params, { lr: 3e-4, weightDecay: 0.05 });
 */
export class AdamW extends AdamFamily {
  constructor(params: Tensor[] | ParamGroup<AdamHyperParams>[], options: AdamOptions = {}) {
    super(params, options, ADAMW_DEFAULTS, 'AdamW', true);
  }
}
