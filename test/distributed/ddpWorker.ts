// One rank of the data-parallel equivalence test: starts from its own random initialisation
// (the broadcast must replace it with rank 0's), trains STEPS steps on its shard of each global
// batch, and prints its final parameters as JSON.
import { memory, setNumThreads, tidy } from '../../src/core/index.js';
import { DataParallel, ProcessGroup, launchEnvFrom } from '../../src/distributed/index.js';
import { buildNet, globalBatch, loss, makeOptimizer, shardRows, STEPS } from './ddpProblem.js';

setNumThreads(1);
const env = launchEnvFrom()!;
const before = memory().tensors;
const pg = await ProcessGroup.init({ rank: env.rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort, timeoutMs: 20_000 });
const net = buildNet(7 + env.rank);
const ddp = new DataParallel(net, pg, { bucketBytes: 256 }); // several buckets for this small net
await ddp.broadcastState();
const opt = makeOptimizer(net);
for (let k = 0; k < STEPS; k++) {
  const { x, y } = globalBatch(k);
  const xs = shardRows(x, env.rank, env.worldSize);
  const ys = shardRows(y, env.rank, env.worldSize);
  await ddp.syncBuffers();
  const l = tidy(() => loss(net, xs, ys));
  opt.zeroGrad();
  l.backward();
  await ddp.averageGradients();
  opt.step();
  for (const t of [x, y, xs, ys, l]) t.dispose();
}
const params = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, Array.from(p.toArray() as Float32Array)]));
await pg.destroy();
opt.dispose();
net.dispose();
console.log(JSON.stringify({ rank: env.rank, params, leaked: memory().tensors - before }));
