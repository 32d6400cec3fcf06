import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentationConfusion, segmentationIoU, segmentationMetrics, VOID_LABEL } from '../../src/eval/index.js';

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);

// A 3×4 image, classes 0 (background), 1, 2, 3 (class 3 absent everywhere), 255 = void.
// gt:   0 0 1 1      pred: 0 1 1 1
//       0 0 1 255          0 0 2 3     <- void pixel: prediction 3 is ignored
//       2 2 2 255          2 2 0 0
const gt = Uint8Array.from([0, 0, 1, 1, 0, 0, 1, 255, 2, 2, 2, 255]);
const pred = Uint8Array.from([0, 1, 1, 1, 0, 0, 2, 3, 2, 2, 0, 0]);
// Confusion (rows gt, cols pred) over the 10 non-void pixels:
//        p0 p1 p2 p3
//   g0 [  3  1  0  0 ]
//   g1 [  0  2  1  0 ]
//   g2 [  1  0  2  0 ]
//   g3 [  0  0  0  0 ]
// IoU0 = 3/(4+4-3) = 3/5, IoU1 = 2/(3+3-2) = 1/2, IoU2 = 2/(3+3-2) = 1/2, IoU3 = 0/0 -> NaN (excluded)
const expectedMatrix = [3, 1, 0, 0, 0, 2, 1, 0, 1, 0, 2, 0, 0, 0, 0, 0];

test('confusion matrix, per-class IoU, mean IoU, pixel accuracy on a hand-made image', () => {
  const cm = new SegmentationConfusion(4).add(pred, gt);
  assert.deepEqual(Array.from(cm.matrix), expectedMatrix);
  const m = cm.metrics();
  close(m.perClassIoU[0]!, 3 / 5);
  close(m.perClassIoU[1]!, 1 / 2);
  close(m.perClassIoU[2]!, 1 / 2);
  assert.ok(Number.isNaN(m.perClassIoU[3]!));
  close(m.meanIoU, (3 / 5 + 1 / 2 + 1 / 2) / 3);
  close(m.pixelAccuracy, 7 / 10);
  close(m.perClassAccuracy[0]!, 3 / 4);
  close(m.perClassAccuracy[1]!, 2 / 3);
  close(m.meanClassAccuracy, (3 / 4 + 2 / 3 + 2 / 3) / 3);
  assert.equal(VOID_LABEL, 255);
});

test('a class predicted but absent from the ground truth has IoU 0 and counts in the mean', () => {
  const m = segmentationMetrics([1, 1, 0, 0], 2); // gt all 0; one pixel predicted as 1
  close(m.perClassIoU[0]!, 1 / 2);
  assert.equal(m.perClassIoU[1], 0);
  close(m.meanIoU, 1 / 4);
  assert.ok(Number.isNaN(m.perClassAccuracy[1]!));
});

test('accumulates over images, merges, resets; one-shot helper agrees', () => {
  const a = new SegmentationConfusion(4);
  a.add(pred, gt).add(pred, gt);
  assert.deepEqual(Array.from(a.matrix), expectedMatrix.map((v) => 2 * v));
  const b = new SegmentationConfusion(4).add(pred, gt);
  b.merge(new SegmentationConfusion(4).add(pred, gt));
  assert.deepEqual(Array.from(b.matrix), Array.from(a.matrix));
  assert.equal(b.imagesAdded, 2);
  close(a.metrics().meanIoU, new SegmentationConfusion(4).add(pred, gt).metrics().meanIoU);
  const once = segmentationIoU([{ prediction: pred, groundTruth: gt }], 4);
  assert.deepEqual(Array.from(once.matrix), expectedMatrix);
  close(once.meanIoU, a.metrics().meanIoU);
  a.reset();
  assert.ok(a.matrix.every((v) => v === 0));
  assert.ok(Number.isNaN(a.metrics().meanIoU) && Number.isNaN(a.metrics().pixelAccuracy));
});

test('custom ignore index', () => {
  const m = segmentationIoU([{ prediction: [0, 1, 1], groundTruth: [0, 1, -1] }], 2, { ignoreIndex: -1 });
  assert.deepEqual(m.perClassIoU, [1, 1]);
});

test('bad input raises an Error naming the problem, and leaves the counts untouched', () => {
  const cm = new SegmentationConfusion(3);
  assert.throws(() => cm.add([0, 1], [0, 1, 2]), /image 0.*prediction has 2 entries but groundTruth has 3/);
  assert.throws(() => cm.add([0, 1, 3], [0, 1, 2]), /prediction\[2\] = 3 is not a class in \[0, 3\)/);
  assert.throws(() => cm.add([0, 1, 255], [0, 1, 2]), /prediction\[2\] = 255/);
  assert.throws(() => cm.add([0, 1, 2], [0, 7, 2]), /groundTruth\[1\] = 7 is not a class in \[0, 3\) nor the ignore label 255/);
  assert.throws(() => cm.add([0, 1, NaN], [0, 1, 2]), /prediction\[2\] = NaN/);
  assert.ok(cm.matrix.every((v) => v === 0));
  assert.equal(cm.imagesAdded, 0);
  assert.throws(() => new SegmentationConfusion(0), { name: 'RangeError', message: /^Expected an integer >= 1 for numClasses of SegmentationConfusion\(\) but received 0$/ });
  assert.throws(() => segmentationMetrics([1, 2, 3], 2), /matrix has 3 entries but numClasses = 2 needs 4/);
  assert.throws(() => new SegmentationConfusion(3).merge(new SegmentationConfusion(4)), /other has 4 classes but this has 3/);
});
