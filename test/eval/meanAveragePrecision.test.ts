import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, meanAveragePrecision } from '../../src/eval/index.js';

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);

// 5 images × 3 classes.
// class 0: the 5-item ranking P N P N P (AP 34/45, 11-point 8.4/11)
// class 1: perfect ranking, with one difficult image on top (AP 1)
// class 2: no positives at all (only negatives and a difficult): skipped
const scores = [
  [0.9, 0.95, 0.1],
  [0.8, 0.7, 0.2],
  [0.7, 0.6, 0.3],
  [0.6, 0.1, 0.4],
  [0.5, 0.2, 0.5],
];
const labels = [
  [1, 0, -1],
  [-1, 1, -1],
  [1, 1, 0],
  [-1, -1, -1],
  [1, -1, -1],
];

test('per-class AP and mean over classes with positives', () => {
  const r = meanAveragePrecision(scores, labels);
  assert.equal(r.perClass.length, 3);
  close(r.perClass[0]!, 34 / 45);
  assert.equal(r.perClass[1], 1);
  assert.ok(Number.isNaN(r.perClass[2]!));
  close(r.mean, (34 / 45 + 1) / 2);
  assert.deepEqual(r.numPositives, [3, 2, 0]);
});

test('11-point method and flat {data, shape} input give the same as rows', () => {
  const r = meanAveragePrecision(scores, labels, { method: 'voc2007' });
  close(r.perClass[0]!, 8.4 / 11);
  const flat = meanAveragePrecision(
    { data: new Float32Array(scores.flat()), shape: [5, 3] },
    { data: Int8Array.from(labels.flat()), shape: [5, 3] },
    { method: 'voc2007' },
  );
  // Float32 scores keep the same order, so AP is identical.
  assert.deepEqual(flat.perClass, r.perClass);
  assert.equal(flat.mean, r.mean);
});

test('each column equals averagePrecision on that column', () => {
  const r = meanAveragePrecision(scores, labels);
  for (let c = 0; c < 2; c++) {
    close(r.perClass[c]!, averagePrecision(scores.map((row) => row[c]!), labels.map((row) => row[c]!)));
  }
});

test('no class with positives: mean is NaN; empty matrices are fine', () => {
  const r = meanAveragePrecision([[0.1], [0.2]], [[-1], [0]]);
  assert.ok(Number.isNaN(r.mean));
  const e = meanAveragePrecision([], []);
  assert.deepEqual(e.perClass, []);
  assert.ok(Number.isNaN(e.mean));
});

test('binary labels', () => {
  const bin = labels.map((row) => row.map((v) => (v === 1 ? 1 : 0)));
  const r = meanAveragePrecision(scores, bin, { labelFormat: 'binary' });
  close(r.perClass[0]!, 34 / 45);
  // The difficult image of class 1 becomes a negative ranked first: N P P, precision 0, 1/2, 2/3;
  // the envelope at recall 1/2 is 2/3, so AP = 1/2·2/3 + 1/2·2/3.
  close(r.perClass[1]!, 0.5 * (2 / 3) + 0.5 * (2 / 3));
});

test('bad input raises an Error naming the problem', () => {
  assert.throws(() => meanAveragePrecision(scores, labels.slice(0, 4)), /scores is \[5 × 3\] but labels is \[4 × 3\]/);
  assert.throws(() => meanAveragePrecision([[0.1, 0.2], [0.3]], [[1, 1], [1]]), /scores\[1\] has 1 entries but scores\[0\] has 2/);
  assert.throws(
    () => meanAveragePrecision({ data: [1, 2, 3], shape: [2, 2] }, [[1, 1], [1, 1]]),
    /scores.data has 3 entries but shape \[2, 2\] needs 4/,
  );
  const withNaN = scores.map((row) => row.slice());
  withNaN[3]![2] = NaN;
  assert.throws(() => meanAveragePrecision(withNaN, labels), /class 2 .*scores\[3\] is NaN/);
  const badLabel = labels.map((row) => row.slice());
  badLabel[1]![0] = 2;
  assert.throws(() => meanAveragePrecision(scores, badLabel), /class 0 .*labels\[1\] = 2 is not a VOC label/);
});
