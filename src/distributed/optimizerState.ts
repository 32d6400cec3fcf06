// Rank 0's optimizer state (momentum buffers, Adam moments and step counts) on every rank: a
// resumed data-parallel run loads its checkpoint on rank 0 only (the run folder need not be
// reachable from other machines), then shares it.
import { zeros, type DType, type Tensor } from '../core/index.js';
import type { OptimizerStateDict, OptimizerStateMeta } from '../optim/index.js';
import type { ProcessGroup } from './processGroup.js';

/** The two halves of optimizer state handling this needs (every Optimizer has them). */
export interface StatefulOptimizer {
  stateDict(): OptimizerStateDict;
  loadStateDict(sd: OptimizerStateDict): void;
}

/** Replaces the optimizer state of every rank by rank 0's. */
export async function broadcastOptimizerState(optimizer: StatefulOptimizer, group: ProcessGroup): Promise<void> {
  if (group.worldSize === 1) return;
  const sd = group.rank === 0 ? optimizer.stateDict() : null;
  let tensors: Record<string, Tensor> = sd?.tensors ?? {};
  try {
    const layout = await group.broadcastJson(sd && {
      meta: sd.meta,
      tensors: Object.entries(sd.tensors).map(([key, t]) => ({ key, shape: t.shape, dtype: t.dtype })),
    }) as { meta: OptimizerStateMeta; tensors: { key: string; shape: number[]; dtype: DType }[] };
    if (group.rank !== 0) tensors = Object.fromEntries(layout.tensors.map((e) => [e.key, zeros(e.shape, { dtype: e.dtype })]));
    await group.broadcast(layout.tensors.map((e) => tensors[e.key]!), { src: 0 });
    if (group.rank !== 0) optimizer.loadStateDict({ tensors, meta: layout.meta });
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
