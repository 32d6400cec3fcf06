// Collectives of the c10d/Gloo process group between two ranks (child processes, one libtorch
// thread each), and what happens when a rank dies, never joins, or stalls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runRanks } from '../helpers/ranks.js';

const WORKER = fileURLToPath(new URL('./collectivesWorker.js', import.meta.url));

test('allReduce (buckets, dtypes, non-contiguous), broadcast, allGather, barrier between two ranks', async () => {
  const results = await runRanks(WORKER, { worldSize: 2, args: () => ['all'] });
  const out = results.map((r) => {
    assert.equal(r.code, 0, `rank ${r.rank} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  });
  for (const o of out) {
    assert.deepEqual(o.sum, [[3, 2, 6], [1, 2, 20, 1], [0.5], [3, 6, 3, 6]]);
    assert.deepEqual(o.avg, [0.5, 1, 2]);
    assert.deepEqual(o.max, [1, 0]);
    assert.deepEqual(o.broadcast, [101, 201]);
    assert.deepEqual(o.gathered, [{ rank: 0, text: '' }, { rank: 1, text: 'xxx' }]);
    assert.deepEqual(o.emptyLengths, [0, 0]);
    assert.equal(o.leaked, 0);
  }
});

test('a rank that is killed makes the other fail at once, naming it', async () => {
  for (const victim of [1, 0]) {
    const [r0, r1] = await runRanks(WORKER, { worldSize: 2, args: () => [`die:${victim}`, '20000'] });
    const survivor = victim === 0 ? r1! : r0!;
    const dead = victim === 0 ? r0! : r1!;
    assert.equal(dead.signal, 'SIGKILL');
    assert.notEqual(survivor.code, 0);
    assert.ok(survivor.ms < 15_000, `took ${survivor.ms} ms`);
    assert.match(survivor.stderr, new RegExp(`DistributedError: allReduce \\(collective #3\\) failed on rank ${1 - victim} of 2 .*rank ${victim} is gone`));
  }
});

test('a rank that never joins, or stalls, is named within the timeout', async () => {
  const [alone] = await runRanks(WORKER, { worldSize: 2, ranks: [0], args: () => ['die:1', '2000'] });
  assert.notEqual(alone!.code, 0);
  assert.ok(alone!.ms < 10_000, `took ${alone!.ms} ms`);
  assert.match(alone!.stderr, /rank 0 of 2: rank 1 never joined the TCPStore at 127\.0\.0\.1:\d+ \(hosted by rank 0\) within 2000 ms/);

  const [r0] = await runRanks(WORKER, { worldSize: 2, args: () => ['hang:1', '2000'], killAfterMs: 20_000 });
  assert.notEqual(r0!.code, 0);
  assert.ok(r0!.ms < 15_000, `took ${r0!.ms} ms`);
  assert.match(r0!.stderr, /allReduce \(collective #3\) failed on rank 0 of 2 .*rank 1 is alive but has not reached this collective \(it is at collective #2/);
});
