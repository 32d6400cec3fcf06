// ATen's multi-tensor ("_foreach_") operators: one call from JS updates a whole list of tensors,
// so a step over a ResNet's ~160 parameters crosses into native code a handful of times instead
// of ~1,000. On CPU libtorch 1.13 loops over the tensors in C++ (same arithmetic as the
// per-tensor ops, hence bit-identical results). libtorch 1.13 has them all; the addon cannot pass
// Scalar[] lists, so per-tensor scalars are handled by the callers (grouping equal values).
import { op, type Tensor } from '../core/index.js';

/**
 * Default elements per multi-tensor run (see runsBySize). Measured on CPU (1 thread, ResNet-18
 * shapes at width 8/32/64): runs of 64K elements beat both per-tensor ops (call overhead) and
 * one foreach over the whole model (each op streams all the state through memory).
 */
export const FOREACH_BUDGET = 65536;

/** self[i] += alpha · other[i] */
export function add_(self: Tensor[], other: Tensor[], alpha = 1): void {
  op('aten::_foreach_add_', 'List')(self, other, alpha);
}

/** self[i] + alpha · other[i], new tensors */
export function add(self: Tensor[], other: Tensor[], alpha = 1): Tensor[] {
  return op('aten::_foreach_add', 'List')(self, other, alpha);
}

/** self[i] += s */
export function addScalar_(self: Tensor[], s: number): void {
  op('aten::_foreach_add_', 'Scalar')(self, s);
}

/** self[i] *= s */
export function mulScalar_(self: Tensor[], s: number): void {
  op('aten::_foreach_mul_', 'Scalar')(self, s);
}

/** self[i] /= s */
export function divScalar_(self: Tensor[], s: number): void {
  op('aten::_foreach_div_', 'Scalar')(self, s);
}

/** self[i] += value · t1[i] · t2[i] */
export function addcmul_(self: Tensor[], t1: Tensor[], t2: Tensor[], value: number): void {
  op('aten::_foreach_addcmul_', 'Scalar')(self, t1, t2, value);
}

/** self[i] += value · t1[i] / t2[i] */
export function addcdiv_(self: Tensor[], t1: Tensor[], t2: Tensor[], value: number): void {
  op('aten::_foreach_addcdiv_', 'Scalar')(self, t1, t2, value);
}

/** self[i] = max(self[i], other[i]) */
export function maximum_(self: Tensor[], other: Tensor[]): void {
  op('aten::_foreach_maximum_', 'List')(self, other);
}

/** sqrt(self[i]), new tensors */
export function sqrt(self: Tensor[]): Tensor[] {
  return op('aten::_foreach_sqrt')(self);
}

/**
 * Splits tensors (in order) into runs of at most `budget` elements in total (a larger tensor
 * forms a run by itself). Each run is updated by a sequence of foreach calls: a run small enough
 * to stay in cache keeps the memory locality of per-tensor updates, while the many small
 * tensors of a network (biases, norms, early convs) share one native call per op.
 */
export function runsBySize(tensors: Tensor[], budget: number): Array<[start: number, end: number]> {
  const runs: Array<[number, number]> = [];
  let start = 0;
  let total = 0;
  for (let i = 0; i < tensors.length; i++) {
    const n = tensors[i]!.size;
    if (i > start && total + n > budget) {
      runs.push([start, i]);
      start = i;
      total = 0;
    }
    total += n;
  }
  if (tensors.length > start) runs.push([start, tensors.length]);
  return runs;
}
