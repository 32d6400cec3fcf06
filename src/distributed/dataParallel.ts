// Data-parallel training with DistributedDataParallel's semantics (PyTorch DDP; Li et al.,
// "PyTorch Distributed", VLDB 2020 §3): every rank holds a replica of the model, rank 0's initial
// parameters and buffers are broadcast so the replicas start equal, and after each backward pass
// the gradients are averaged across ranks (flattened into ~25 MiB buckets, one allreduce per
// bucket), so each optimizer step applies the gradient of the global batch and the replicas stay
// equal. Buffers (BatchNorm running statistics) are broadcast from rank 0 before each forward
// (DDP's broadcast_buffers=True); the batch statistics BatchNorm normalises with stay per rank
// (no SyncBatchNorm), as in DDP by default.
import { bytesPerElement, tensor, zerosLike, type Tensor } from '../core/index.js';
import type { Module } from '../nn/index.js';
import { DEFAULT_BUCKET_BYTES, DistributedError, type ProcessGroup } from './processGroup.js';

export interface DataParallelOptions {
  /** Bucket size for gradients and broadcasts. Default DEFAULT_BUCKET_BYTES (25 MiB). */
  bucketBytes?: number;
}

/**
 * Keeps the replicas of `module` in step across the ranks of `group`.
 * @example
 * const ddp = new DataParallel(net, pg);
 * await ddp.broadcastState();              // once, before training
 * for (const batch of myShard) {
 *   await ddp.syncBuffers();
 *   const loss = lossOf(net.forward(x)); opt.zeroGrad(); loss.backward();
 *   const [meanLoss] = await ddp.averageGradients([loss.item()]);
 *   opt.step();
 * }
 */
export class DataParallel {
  readonly bucketBytes: number;
  /** Seconds spent in gradient allreduce since construction (for benchmarks and logs). */
  allReduceSeconds = 0;

  constructor(readonly module: Module, readonly group: ProcessGroup, opts: DataParallelOptions = {}) {
    this.bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
  }

  /** Bytes of gradient each rank contributes to the allreduce of one step. */
  get gradientBytes(): number {
    return this.module.parameters().reduce((s, p) => s + p.size * bytesPerElement(p.dtype), 0);
  }

  /**
   * Checks that every rank holds the same architecture (names, shapes, dtypes), then copies rank
   * 0's parameters and buffers to every rank.
   */
  async broadcastState(): Promise<void> {
    await this.checkSameStructure();
    await this.group.broadcast([...this.module.parameters(), ...this.module.buffers()], { src: 0, bucketBytes: this.bucketBytes });
  }

  /** Copies rank 0's buffers to every rank (call before each forward pass in training). */
  async syncBuffers(): Promise<void> {
    const buffers = this.module.buffers();
    if (this.group.worldSize > 1 && buffers.length > 0) await this.group.broadcast(buffers, { src: 0, bucketBytes: this.bucketBytes });
  }

  /**
   * Replaces every parameter's gradient by its mean over the ranks. A parameter without a
   * gradient on this rank contributes zeros (every rank must send the same buckets). `values`
   * (a loss, a stop vote) are averaged in the same collective; returns their means.
   */
  async averageGradients(values: readonly number[] = []): Promise<number[]> {
    if (this.group.worldSize === 1) return [...values];
    const tensors: Tensor[] = [];
    try {
      for (const p of this.module.parameters()) {
        if (!p.requiresGrad) continue;
        let g = p.grad;
        if (g === null) {
          g = zerosLike(p);
          p.grad = g;
        }
        tensors.push(g);
      }
      const scalars = values.length > 0 ? tensor(Float64Array.from(values), { dtype: 'float64' }) : null;
      if (scalars) tensors.push(scalars);
      const t0 = performance.now();
      await this.group.allReduce(tensors, { op: 'avg', bucketBytes: this.bucketBytes });
      this.allReduceSeconds += (performance.now() - t0) / 1000;
      return scalars ? Array.from(scalars.toArray() as Float64Array) : [];
    } finally {
      for (const t of tensors) t.dispose(); // the handles only: the gradients stay on the parameters
    }
  }

  private async checkSameStructure(): Promise<void> {
    const describe = (kind: string, entries: [string, Tensor][]): string[] => entries.map(([n, t]) => `${kind} ${n} [${t.shape.join(', ')}] ${t.dtype}`);
    const mine = [...describe('parameter', this.module.namedParameters()), ...describe('buffer', this.module.namedBuffers())];
    const all = await this.group.allGatherJson(mine);
    const reference = all[0]!;
    for (let r = 1; r < all.length; r++) {
      const theirs = all[r]!;
      const n = Math.max(reference.length, theirs.length);
      for (let i = 0; i < n; i++) {
        if (reference[i] !== theirs[i]) {
          throw new DistributedError(`rank ${r}'s model differs from rank 0's: entry ${i} is '${theirs[i] ?? '(none)'}' on rank ${r} but '${reference[i] ?? '(none)'}' on rank 0; start every rank with the same model options`);
        }
      }
    }
  }
}
