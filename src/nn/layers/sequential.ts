// A chain of modules applied in order.
import type { Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** A module mapping one tensor to one tensor (what Sequential chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Applies its children in order. Children are named '0', '1', ... as in PyTorch, so parameter
 * names read 'downsample.0.weight'.
 * @example const block = new Sequential(new Conv2d(3, 8, 3, { padding: 1 }), new BatchNorm2d(8), new ReLU());
 */
export class Sequential extends Module {
  #count = 0;

  constructor(...modules: TensorModule[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end (named by its index). */
  append(m: TensorModule): this {
    this.registerModule(String(this.#count++), m);
    return this;
  }

  get length(): number {
    return this.#count;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): TensorModule {
    const j = i < 0 ? this.#count + i : i;
    const m = this.children()[j];
    if (m === undefined) throw new RangeError(`Sequential.at(${i}): index out of range for ${this.#count} modules`);
    return m as TensorModule;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return (this.children() as TensorModule[])[Symbol.iterator]();
  }

  /**
   * Applies the children in order. Each intermediate result is disposed as soon as the next
   * one exists (autograd keeps what it needs), so inference does not hold every activation.
   */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.children() as TensorModule[]) {
      const next = m.forward(y);
      if (y !== x && next !== y) y.dispose();
      y = next;
    }
    return y;
  }
}
