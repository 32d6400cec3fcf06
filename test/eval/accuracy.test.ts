import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, topKAccuracy } from '../../src/eval/index.js';

const scores = [
  [0.1, 0.7, 0.2], // argmax 1, second 2
  [0.5, 0.3, 0.2], // argmax 0, second 1
  [0.2, 0.2, 0.6], // argmax 2, second 0 (tie 0/1 -> lower index)
  [0.3, 0.3, 0.3], // all tied: ranks 0, 1, 2
];

test('top-1 accuracy', () => {
  assert.equal(accuracy(scores, [1, 0, 2, 0]), 1);
  assert.equal(accuracy(scores, [1, 1, 2, 2]), 0.5);
  assert.equal(accuracy(scores, [0, 1, 0, 1]), 0);
});

test('top-k accuracy, k clamped to the number of classes', () => {
  assert.equal(topKAccuracy(scores, [2, 1, 0, 1], 2), 1);
  assert.equal(accuracy(scores, [2, 1, 0, 1], { k: 2 }), 1);
  assert.equal(topKAccuracy(scores, [0, 2, 1, 2], 2), 0);
  assert.equal(topKAccuracy(scores, [0, 2, 1, 2], 3), 1);
  assert.equal(topKAccuracy(scores, [0, 2, 1, 2], 10), 1);
});

test('ties rank by class index, like argmax', () => {
  assert.equal(accuracy([[0.3, 0.3, 0.3]], [0]), 1);
  assert.equal(accuracy([[0.3, 0.3, 0.3]], [1]), 0);
  assert.equal(topKAccuracy([[0.3, 0.3, 0.3]], [1], 2), 1);
  assert.equal(topKAccuracy([[0.3, 0.3, 0.3]], [2], 2), 0);
});

test('flat {data, shape} input and empty input', () => {
  assert.equal(accuracy({ data: new Float32Array(scores.flat()), shape: [4, 3] }, Int32Array.from([1, 0, 2, 0])), 1);
  assert.ok(Number.isNaN(accuracy([], [])));
});

test('bad input raises an Error naming the problem', () => {
  assert.throws(() => accuracy(scores, [1, 0, 2]), /scores \(rows\) has 4 entries but targets has 3/);
  assert.throws(() => accuracy(scores, [1, 0, 3, 0]), { name: 'RangeError', message: /targets\[2\] = 3; expected a class index in \[0, 3\)/ });
  assert.throws(() => accuracy(scores, [1, 0, -1, 0]), /targets\[2\] = -1/);
  assert.throws(() => accuracy([[0.1, NaN]], [0]), /scores\[0\]\[1\] is NaN/);
  assert.throws(() => topKAccuracy(scores, [1, 0, 2, 0], 0), { name: 'RangeError', message: 'Expected an integer >= 1 for k of topKAccuracy() but received 0' });
});
