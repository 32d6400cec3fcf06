// Rectified linear unit.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';
import { relu } from '../functional.js';

/** max(x, 0). With `inplace` the input is overwritten (saves memory inside ResNet blocks). */
export class ReLU extends Module {
  readonly inplace: boolean;

  constructor(opts: { inplace?: boolean } = {}) {
    super();
    this.inplace = opts.inplace ?? false;
  }

  forward(x: Tensor): Tensor {
    return relu(x, { inplace: this.inplace });
  }

  override extraRepr(): string {
    return this.inplace ? 'inplace=true' : '';
  }
}
