// The pieces of WSL training that change when several processes train together (trainWsl's
// `distributed` option): the step (buffers from rank 0, local backward, gradients averaged with
// the loss and the stop vote in one allreduce), validation sharded over the ranks and gathered,
// and the check that every rank reads the same data.
import { createHash } from 'node:crypto';
import { tensor, tidy } from '../core/index.js';
import { agree, type DataParallel, type ProcessGroup } from '../distributed/index.js';
import { shardRange, sliceImageList, type Batch, type LabeledImageList } from '../data/index.js';
import type { SGD } from '../optim/index.js';
import type { WildcatNet } from '../wsl/wildcatNet.js';
import { predictImages, type PredictOptions, type Predictions } from './predict.js';
import type { LossFn } from './wslTrainer.js';

/**
 * One data-parallel SGD step. Each rank back-propagates the mean loss of its own batch; the
 * gradients are averaged over the ranks (equal batches: the mean over the global batch), and the
 * ranks' losses and stop requests are averaged in the same allreduce, so every rank takes the
 * same decisions: the step is skipped everywhere when any rank's loss is not finite, and all
 * ranks stop after the same step when any of them was asked to.
 * @returns the loss of the global batch, and whether to stop after this step.
 */
export async function dataParallelStep(
  ddp: DataParallel, net: WildcatNet, optimizer: SGD, lossFn: LossFn, batch: Batch, wantsStop: boolean,
): Promise<{ loss: number; stop: boolean }> {
  await ddp.syncBuffers();
  const local = tidy(() => {
    const x = tensor(batch.images, { shape: [batch.batchSize, 3, batch.size, batch.size] });
    const loss = lossFn(net.forward(x), batch);
    const value = loss.item();
    optimizer.zeroGrad();
    if (Number.isFinite(value)) loss.backward();
    return value;
  });
  const [loss, stopVotes] = await ddp.averageGradients([local, wantsStop ? 1 : 0]);
  if (Number.isFinite(loss!)) optimizer.step();
  return { loss: loss!, stop: stopVotes! > 0 };
}

/**
 * predictImages over `list`, each rank predicting a contiguous shard with rank 0's buffers; every
 * rank receives all the scores, in list order. Class scores only (no peaks).
 */
export async function predictSharded(ddp: DataParallel, net: WildcatNet, list: LabeledImageList, opts: Omit<PredictOptions, 'points'> & { batchSize: number }): Promise<Predictions> {
  const group = ddp.group;
  await ddp.syncBuffers();
  // Whole batches per rank: every image is scored in the batch it has in a single process.
  const [start, end] = shardRange(list.ids.length, group.rank, group.worldSize, opts.batchSize);
  const mine = end > start ? (await predictImages(net, sliceImageList(list, start, end), { ...opts, points: false })).scores : new Float32Array(0);
  const parts = await group.allGather(new Uint8Array(mine.buffer, mine.byteOffset, mine.byteLength));
  const scores = new Float32Array(list.ids.length * list.classNames.length);
  let offset = 0;
  for (const p of parts) {
    scores.set(new Float32Array(p.buffer, p.byteOffset, p.byteLength / 4), offset);
    offset += p.byteLength / 4;
  }
  return { ids: [...list.ids], classNames: list.classNames, scores, points: new Float32Array(0), sizes: new Int32Array(0) };
}

/** Fails on every rank, naming the first rank whose training or validation data differs from rank 0's. */
export async function checkSameData(group: ProcessGroup, lists: { name: string; list: LabeledImageList }[]): Promise<void> {
  const mine = lists.map(({ list }) => ({ images: list.ids.length, digest: digest(list) }));
  const all = await group.allGatherJson(mine);
  const ref = all[0]!;
  const problem = mine.findIndex((m, i) => m.digest !== ref[i]!.digest);
  await agree(group, problem < 0 ? null
    : `its ${lists[problem]!.name} data differs from rank 0's (${mine[problem]!.images} images against ${ref[problem]!.images}, or other ids or labels): every rank must read the same dataset`);
}

function digest(list: LabeledImageList): string {
  const h = createHash('sha256');
  h.update(list.classNames.join('\n'));
  h.update('\0');
  h.update(list.ids.join('\n'));
  h.update(list.labels);
  return h.digest('hex');
}
