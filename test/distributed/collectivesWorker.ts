// One rank of the collectives test (test/distributed/collectives.test.ts): runs each collective
// and prints what it got as one JSON line. MODE=die-at-2 makes RANK=DIE exit before collective 2.
import { memory, setNumThreads, tensor, tidy, type Tensor } from '../../src/core/index.js';
import { ProcessGroup, launchEnvFrom } from '../../src/distributed/index.js';

setNumThreads(1);
const env = launchEnvFrom()!;
const mode = process.argv[2] ?? 'all';
const timeoutMs = Number(process.argv[3] ?? 20_000);
const rank = env.rank;
const before = memory().tensors;
const pg = await ProcessGroup.init({ rank, worldSize: env.worldSize, masterAddr: env.masterAddr, masterPort: env.masterPort, timeoutMs });
const values = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);

if (mode === 'all') {
  // Three float32 tensors and one float64: with 16-byte buckets every tensor travels alone or in pairs.
  const a = tensor([rank + 1, 2 * rank, 3], { dtype: 'float32' });
  const b = tensor([[rank, 1], [10, rank * rank]], { dtype: 'float32' });
  const c = tensor([rank * 0.5], { dtype: 'float64' });
  const d = tidy(() => tensor([1, 2], { dtype: 'float32' }).expand([2, 2]).transpose(0, 1).contiguous().mul(rank + 1).t()); // non-contiguous
  await pg.allReduce([a, b, c, d], { op: 'sum', bucketBytes: 16 });
  const sum = [values(a), values(b), values(c), values(d)];
  const e = tensor([rank, 1, 4 * rank], { dtype: 'float32' });
  await pg.allReduce(e, { op: 'avg' });
  const avg = values(e);
  const m = tensor([rank, -rank], { dtype: 'int64' });
  await pg.allReduce(m, { op: 'max' });
  const src1 = tensor([rank + 100, rank + 200], { dtype: 'float32' });
  await pg.broadcast(src1, { src: 1 });
  const gathered = await pg.allGatherJson({ rank, text: 'x'.repeat(rank * 3) });
  const empty = await pg.allGather(new Uint8Array(0));
  await pg.barrier();
  const max = values(m);
  const broadcast = values(src1);
  for (const t of [a, b, c, d, e, m, src1]) t.dispose();
  await pg.destroy();
  console.log(JSON.stringify({ rank, sum, avg, max, broadcast, gathered, emptyLengths: empty.map((e) => e.length), leaked: memory().tensors - before }));
} else {
  // Failure modes: 'die:R' kills rank R (SIGKILL) before its third collective; 'hang:R' keeps it alive
  // without calling it until the other rank has timed out and diagnosed, then exits.
  const [what, victimText] = mode.split(':');
  const victim = Number(victimText);
  const x = tensor([1, 2, 3], { dtype: 'float32' });
  for (let i = 0; i < 5; i++) {
    if (i === 2 && rank === victim) {
      if (what === 'die') process.kill(process.pid, 'SIGKILL'); // no clean-up of any kind
      await new Promise((r) => setTimeout(r, timeoutMs + 3000));
      process.exit(0);
    }
    await pg.allReduce(x);
    console.log(`step ${i}`);
  }
}
