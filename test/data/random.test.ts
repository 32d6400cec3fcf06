import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mixSeed, Rng } from '../../src/data/random.js';

test('Rng is deterministic per seed and differs across seeds', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  const c = new Rng(8);
  const sa = Array.from({ length: 20 }, () => a.nextUint32());
  const sb = Array.from({ length: 20 }, () => b.nextUint32());
  const sc = Array.from({ length: 20 }, () => c.nextUint32());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  assert.notEqual(mixSeed(1, 2), mixSeed(2, 1));
  assert.equal(mixSeed(1, 'a'), mixSeed(1, 'a'));
  assert.notEqual(new Rng(2 ** 40).nextUint32(), new Rng(0).nextUint32());
});

test('Rng ranges, moments and permutations', () => {
  const r = new Rng(1);
  let sum = 0;
  let sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const k = r.intBetween(3, 5);
    assert.ok(k >= 3 && k <= 5 && Number.isInteger(k));
    const z = r.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.05, `normal mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.05, `normal variance ${sq / n}`);
  const p = r.permutation(50);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.throws(() => r.int(0), /n >= 1/);
});
