// One process of bench/distributed.ts. Without WORLD_SIZE it times the single-process training
// step of src/train/wslTrainer.ts (trainStep); as a rank it times the data-parallel step the
// trainer takes (dataParallelStep: buffers from rank 0, forward, backward, gradient allreduce in
// 25 MiB buckets, SGD step), and the allreduce inside it. Random images, as bench/wsl.ts.
//   node dist/bench/distributedWorker.js --batch 8 --threads 1 --warmup 3 --steps 10 [--maps 1]
//   node dist/bench/distributedWorker.js --allreduce resnet18,resnet50,resnet101 --steps 5
// stdout: one JSON line.
import { manualSeed, setNumThreads, zeros, type Tensor } from '../src/core/index.js';
import { DataParallel, ProcessGroup, launchEnvFrom } from '../src/distributed/index.js';
import { resnet } from '../src/nn/index.js';
import { trainStep, wslLoss, wslOptimizer } from '../src/train/wslTrainer.js';
import { defaultWslConfig } from '../src/train/wslConfig.js';
import { dataParallelStep } from '../src/train/dataParallelTraining.js';
import { buildWildcatNet } from '../src/wsl/buildWildcatNet.js';
import type { Batch } from '../src/data/index.js';
import { intFlag, parseFlags } from './common.js';

const flags = parseFlags(process.argv.slice(2));
const steps = intFlag(flags, 'steps', 10);
const warmup = intFlag(flags, 'warmup', 3, 0);
const env = launchEnvFrom();
const group = env ? await ProcessGroup.init({ rank: env.rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort, timeoutMs: 120_000 }) : null;

if (flags.has('allreduce')) {
  // The gradient allreduce of full-width ResNets (+ a VOC WILDCAT head: 20 classes × 4 maps),
  // parameter-shaped tensors in 25 MiB buckets, as DataParallel.averageGradients sends them.
  if (!group) throw new Error('--allreduce needs WORLD_SIZE/RANK (start it through bench/distributed.ts)');
  setNumThreads(1);
  const out: Record<string, { bytes: number; seconds: number[] }> = {};
  for (const name of flags.get('allreduce')!.split(',')) {
    const depth = Number(name.replace('resnet', '')) as 18 | 50 | 101;
    const net = resnet(depth, { numClasses: 0 });
    const grads: Tensor[] = [...net.parameters().map((p) => zeros(p.shape)), zeros([20 * 4, net.outChannels, 1, 1]), zeros([20 * 4])];
    net.dispose();
    const seconds: number[] = [];
    for (let i = 0; i < warmup + steps; i++) {
      await group.barrier();
      const t0 = performance.now();
      await group.allReduce(grads, { op: 'avg' });
      if (i >= warmup) seconds.push((performance.now() - t0) / 1000);
    }
    out[name] = { bytes: grads.reduce((s, g) => s + g.size * 4, 0), seconds };
    for (const g of grads) g.dispose();
  }
  await group.destroy();
  process.stdout.write(JSON.stringify({ rank: env!.rank, allreduce: out }) + '\n');
} else {
  const batchSize = intFlag(flags, 'batch', 16);
  const threads = intFlag(flags, 'threads', 1);
  const base = defaultWslConfig(10);
  const config = { ...base, model: { ...base.model, maps: intFlag(flags, 'maps', base.model.maps) }, batchSize, threads };
  setNumThreads(threads);
  manualSeed(0);
  const net = buildWildcatNet(config.model);
  const optimizer = wslOptimizer(net, config);
  const lossFn = wslLoss(config.loss);
  const ddp = group ? new DataParallel(net, group) : null;
  if (ddp) await ddp.broadcastState();
  // Each rank its own pseudo-random images and labels (about 30 % positive).
  const S = config.imageSize;
  const C = config.model.numClasses;
  const images = new Float32Array(batchSize * 3 * S * S);
  for (let i = 0; i < images.length; i++) images[i] = Math.sin(i * 12.9898 + (env?.rank ?? 0)) * 2;
  const labels = Int8Array.from({ length: batchSize * C }, (_, i) => (Math.sin(i * 78.233 + (env?.rank ?? 0)) > 0.4 ? 1 : -1));
  const batch: Batch = { images, labels, ids: [], indices: new Int32Array(batchSize), batchSize, size: S, numClasses: C, epoch: 0, index: 0 };
  net.train();
  const stepSeconds: number[] = [];
  const allReduceSeconds: number[] = [];
  for (let i = 0; i < warmup + steps; i++) {
    const before = ddp?.allReduceSeconds ?? 0;
    const t0 = performance.now();
    if (ddp) await dataParallelStep(ddp, net, optimizer, lossFn, batch, false);
    else trainStep(net, optimizer, lossFn, batch);
    if (i >= warmup) {
      stepSeconds.push((performance.now() - t0) / 1000);
      allReduceSeconds.push((ddp?.allReduceSeconds ?? 0) - before);
    }
  }
  const gradientBytes = ddp?.gradientBytes ?? 0;
  if (group) {
    await group.barrier();
    await group.destroy();
  }
  optimizer.dispose();
  net.dispose();
  process.stdout.write(JSON.stringify({ rank: env?.rank ?? 0, worldSize: env?.worldSize ?? 1, batchSize, threads, stepSeconds, allReduceSeconds, gradientBytes }) + '\n');
}
