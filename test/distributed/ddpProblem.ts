// The data-parallel equivalence problem shared by test/distributed/dataParallel.test.ts (one
// process, global batch) and ddpWorker.ts (one rank, its shard of every batch): a small conv net
// whose BatchNorm is in eval mode (a fixed affine map, so the per-rank batch statistics of training
// mode cannot make the ranks differ), SGD with momentum and weight decay, K steps.
import { manualSeed, randn, tensor, tidy, type Tensor } from '../../src/core/index.js';
import { BatchNorm2d, Conv2d, Flatten, Linear, ReLU, AdaptiveAvgPool2d, Sequential, functional as F } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';

export const GLOBAL_BATCH = 8;
export const STEPS = 3;

export function buildNet(seed: number): Sequential {
  manualSeed(seed);
  const net = new Sequential(new Conv2d(3, 6, 3, { padding: 1 }), new BatchNorm2d(6), new ReLU(), new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 4));
  net.train();
  (net.at(1) as BatchNorm2d).eval();
  return net;
}

export function makeOptimizer(net: Sequential): SGD {
  return new SGD(net.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 });
}

/** Images [B, 3, 8, 8] and multi-label targets [B, 4] of step k (the same on every rank). */
export function globalBatch(k: number): { x: Tensor; y: Tensor } {
  manualSeed(1000 + k);
  const x = randn([GLOBAL_BATCH, 3, 8, 8]);
  const y = tidy(() => randn([GLOBAL_BATCH, 4]).gt(0).to('float32'));
  return { x, y };
}

/** Rows r, r + n, r + 2n, ... (DistributedSampler's interleaving) of a batch. */
export function shardRows(t: Tensor, rank: number, worldSize: number): Tensor {
  const rows: number[] = [];
  for (let i = rank; i < t.shape[0]!; i += worldSize) rows.push(i);
  return tidy(() => t.indexSelect(0, tensor(rows, { dtype: 'int64' })));
}

/** Mean loss over the given rows: the mean over the global batch is the mean of the ranks' means. */
export function loss(net: Sequential, x: Tensor, y: Tensor): Tensor {
  return F.binaryCrossEntropyWithLogits(net.forward(x), y);
}
