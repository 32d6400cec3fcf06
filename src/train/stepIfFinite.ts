// The optimizer step every training loop takes: read the loss, and update the weights only when
// it is finite, so that a diverging run stops with its weights intact.
import type { Tensor } from '../core/index.js';

/** Back-propagates `loss` and steps `optimizer` when the loss is finite; returns the loss value either way. */
export function stepIfFinite(loss: Tensor, optimizer: { zeroGrad(): void; step(): void }): number {
  const value = loss.item();
  if (!Number.isFinite(value)) return value;
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return value;
}
