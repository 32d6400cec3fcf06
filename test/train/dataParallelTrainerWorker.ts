// One rank of test/train/dataParallelTrainer.test.ts: trainWsl with a process group.
//   node dataParallelTrainerWorker.js straight|stop|resume DATA OUT
// 'stop' asks rank 1 alone to stop after its second step; every rank must stop at the same step.
import { ProcessGroup, launchEnvFrom } from '../../src/distributed/index.js';
import { trainWsl } from '../../src/train/wslTrainer.js';
import { defaultWslConfig } from '../../src/train/wslConfig.js';
import { tinyConfig } from './fixtures.js';

const [mode, data, out] = process.argv.slice(2) as [string, string, string];
const env = launchEnvFrom()!;
const group = await ProcessGroup.init({ rank: env.rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort, timeoutMs: 30_000 });
const stop = new AbortController();
const config = mode === 'resume' ? { ...defaultWslConfig(), threads: 1 } : tinyConfig(data, { batchSize: 4 });
const steps: number[] = [];
const r = await trainWsl(config, {
  out, resume: mode === 'resume', progress: false, log: () => undefined, distributed: group, signal: stop.signal,
  onStep: (s) => {
    steps.push(s.loss);
    if (mode === 'stop' && env.rank === 1 && s.steps === 2) stop.abort();
  },
});
await group.barrier();
await group.destroy();
console.log(JSON.stringify({ rank: env.rank, interrupted: r.interrupted, lastMAP: r.lastMAP, losses: steps }));
