// A short seeded slice of the fuzzing suite (`npm run fuzz` runs the long one): mutants of every
// parser's seed files and the crafted inputs of the hardening issue, each watched in a worker
// process. No case may crash its worker, run over 10 s, grow past 1 GiB resident, or fail with an
// error that does not name its file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzCases, runFuzz } from './harness.js';
import { FuzzRng, mutate } from './mutate.js';

test('fuzz slice: 40 mutants per parser plus the crafted cases, no crash, no hang, no blow-up, every error names its file', async () => {
  const cases = await fuzzCases(40, 20261129);
  const results = await runFuzz(cases, { workers: 1 });
  const failures = results.filter((r) => r.failure).map((r) => `${JSON.stringify(r.case)}: ${r.failure}`);
  assert.deepEqual(failures, []);
  // The suite exercises both sides: inputs that read and inputs that are refused, for every target.
  for (const target of new Set(cases.map((c) => c.target))) {
    const rs = results.filter((r) => r.case.target === target);
    assert.ok(rs.some((r) => r.outcome === 'error'), `${target}: no refused input`);
  }
});

test('mutants never change their seed, even a Buffer (whose slice() is a view), so mutant (seed, index) is always the same bytes', () => {
  const seed = Buffer.from('a seed of some length, shared by every mutant of its target');
  const copy = Buffer.from(seed);
  const first = Array.from({ length: 50 }, (_, i) => mutate(seed, new FuzzRng(i), true));
  assert.deepEqual(seed, copy);
  assert.deepEqual(Array.from({ length: 50 }, (_, i) => mutate(seed, new FuzzRng(i), true)), first);
});
