// DistributedDataParallel semantics: K steps of two ranks with per-rank batch B/2 end with the
// parameters of one process trained with batch B (BatchNorm in eval mode; see ddpProblem.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { tidy } from '../../src/core/index.js';
import { runRanks } from '../helpers/ranks.js';
import { withLeakCheck } from '../helpers/leak.js';
import { buildNet, globalBatch, loss, makeOptimizer, STEPS } from './ddpProblem.js';

const WORKER = fileURLToPath(new URL('./ddpWorker.js', import.meta.url));

function trainOneProcess(): Record<string, number[]> {
  const net = buildNet(7);
  const opt = makeOptimizer(net);
  for (let k = 0; k < STEPS; k++) {
    const { x, y } = globalBatch(k);
    tidy(() => {
      const l = loss(net, x, y);
      opt.zeroGrad();
      l.backward();
      opt.step();
    });
    x.dispose();
    y.dispose();
  }
  const out = Object.fromEntries(net.namedParameters().map(([n, p]) => [n, Array.from(p.toArray() as Float32Array)]));
  opt.dispose();
  net.dispose();
  return out;
}

test('two ranks with batch B/2 each end with the parameters of one process with batch B', async () => {
  const results = await runRanks(WORKER, { worldSize: 2 });
  let reference: Record<string, number[]> = {};
  await withLeakCheck(() => {
    reference = trainOneProcess();
  });
  const initial = buildNet(7);
  const untrained = Object.fromEntries(initial.namedParameters().map(([n, p]) => [n, Array.from(p.toArray() as Float32Array)]));
  initial.dispose();
  for (const r of results) {
    assert.equal(r.code, 0, `rank ${r.rank} failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { params: Record<string, number[]>; leaked: number };
    assert.equal(out.leaked, 0);
    assert.deepEqual(Object.keys(out.params), Object.keys(reference));
    let moved = 0;
    for (const [name, values] of Object.entries(reference)) {
      const got = out.params[name]!;
      for (let i = 0; i < values.length; i++) {
        assert.ok(Math.abs(got[i]! - values[i]!) <= 1e-5 + 1e-5 * Math.abs(values[i]!), `rank ${r.rank} ${name}[${i}]: ${got[i]} vs ${values[i]}`);
        moved = Math.max(moved, Math.abs(values[i]! - untrained[name]![i]!));
      }
    }
    assert.ok(moved > 1e-3, 'the steps changed the parameters');
  }
});
