// The identity layer: a placeholder that returns its input.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** Returns its input unchanged (e.g. to replace a model's `fc` by a no-op). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
