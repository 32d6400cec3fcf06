import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colormapByName, colormapTable, cssColor, jet, stopsColormap, turbo } from '../../src/report/index.js';

test('jet at 0, 0.5 and 1 (matplotlib definition)', () => {
  assert.deepEqual(jet(0), [0, 0, 128]);
  assert.deepEqual(jet(0.5), [128, 255, 128]);
  assert.deepEqual(jet(1), [128, 0, 0]);
  assert.deepEqual(jet(0.25), [0, 128, 255]);
});

test('turbo at 0, 0.5 and 1 matches the published table', () => {
  // Entries 0, 127.5 and 255 of the 256-entry Turbo table, in 8-bit.
  assert.deepEqual(turbo(0), [48, 18, 59]);
  const mid = turbo(0.5);
  [162.8, 252.7, 60.3].forEach((v, i) => assert.ok(Math.abs(mid[i]! - v) <= 2, `turbo(0.5)[${i}] = ${mid[i]}, expected ≈ ${v}`));
  assert.deepEqual(turbo(1), [122, 4, 3]);
});

test('colormaps clamp out-of-range values and NaN', () => {
  assert.deepEqual(turbo(-3), turbo(0));
  assert.deepEqual(turbo(7), turbo(1));
  assert.deepEqual(jet(Number.NaN), jet(0));
});

test('stopsColormap interpolates linearly between evenly spaced stops', () => {
  const g = stopsColormap([[0, 0, 0], [200, 100, 50]]);
  assert.deepEqual(g(0.5), [100, 50, 25]);
  assert.throws(() => stopsColormap([[0, 0, 0]]), /at least 2 stops/);
});

test('colormapTable tabulates n entries from both ends', () => {
  const t = colormapTable(jet, 5);
  assert.equal(t.length, 15);
  assert.deepEqual([...t.subarray(0, 3)], jet(0));
  assert.deepEqual([...t.subarray(12, 15)], jet(1));
  assert.deepEqual([...t.subarray(6, 9)], jet(0.5));
});

test('colormapByName and cssColor', () => {
  assert.equal(colormapByName('jet'), jet);
  assert.equal(colormapByName('turbo'), turbo);
  assert.throws(() => colormapByName('viridis'), /unknown colormap 'viridis'; expected turbo or jet/);
  assert.equal(cssColor(jet, 1), 'rgb(128 0 0)');
});
