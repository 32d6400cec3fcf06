import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveK, roundHalfEven } from '../../src/wsl/index.js';
import { reference } from './reference.js';

test('roundHalfEven: Python round() on the binary value', () => {
  assert.equal(roundHalfEven(10.5), 10);
  assert.equal(roundHalfEven(11.5), 12);
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(0.5), 0);
  assert.equal(roundHalfEven(0.49999999999999994), 0);
  assert.equal(roundHalfEven(0.1 * 35), 4); // 3.5000000000000004
  assert.equal(roundHalfEven(0.3 * 35), 10); // exactly 10.5
  assert.equal(roundHalfEven(7), 7);
});

test('resolve_k_table: every row except the documented k·n < 0.5 divergence', () => {
  let checked = 0;
  for (const row of reference.resolve_k_table) {
    if (row.k > 0 && row.k < 1 && row.k * row.n < 0.5) continue;
    assert.equal(resolveK(row.k, row.n), row.resolved, `k = ${row.k}, n = ${row.n}`);
    checked++;
  }
  assert.equal(checked, reference.resolve_k_table.length - 1);
});

test('divergence from the official code: a positive fraction keeps at least one region', () => {
  const row = reference.resolve_k_table.find((r) => r.k === 0.01 && r.n === 35);
  assert.ok(row, 'the table has the k = 0.01, n = 35 row');
  assert.equal(row.resolved, 0); // official: round(0.35) = 0 regions
  assert.equal(resolveK(0.01, 35), 1); // docs/DESIGN.md: max(1, round_half_even(k·n))
  assert.equal(resolveK(1e-9, 144), 1);
});

test('the three regimes', () => {
  assert.equal(resolveK(0, 35), 0);
  assert.equal(resolveK(-3, 35), 0);
  assert.equal(resolveK(0.2, 144), 29); // 28.8
  assert.equal(resolveK(0.99, 35), 35);
  assert.equal(resolveK(1, 35), 1);
  assert.equal(resolveK(1.0, 35), 1); // a count, not 100%
  assert.equal(resolveK(2.7, 35), 2);
  assert.equal(resolveK(36, 35), 35);
  assert.equal(resolveK(Infinity, 35), 35);
});

test('bad arguments name what is wrong', () => {
  assert.throws(() => resolveK(NaN, 35), { name: 'RangeError', message: 'Expected a number for argument k of resolveK() but received NaN' });
  assert.throws(() => resolveK('1' as never, 35), { name: 'TypeError', message: "Expected a number for argument k of resolveK() but received '1'" });
  assert.throws(() => resolveK(2, 0), { name: 'RangeError', message: 'Expected an integer >= 1 for argument n (the number of regions h·w) of resolveK() but received 0' });
  assert.throws(() => resolveK(2, 3.5), /of resolveK\(\) but received 3.5$/);
});
