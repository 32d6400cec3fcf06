import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pointInBox,
  pointwiseLocalizationAP,
  scaledTolerance,
  type AnnotatedImage,
  type PointPrediction,
} from '../../src/eval/index.js';

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);

const box = { x0: 100, y0: 100, x1: 201, y1: 151 }; // pixels 100..200 × 100..150

test('scaledTolerance: 18 px at 500 px, proportional otherwise', () => {
  assert.equal(scaledTolerance(500, 375), 18);
  assert.equal(scaledTolerance(375, 500), 18);
  close(scaledTolerance(192, 192), 6.912);
  assert.equal(scaledTolerance(1000, 10), 36);
  assert.equal(scaledTolerance(250, 250, { pixels: 10, referenceSize: 250 }), 10);
  assert.throws(() => scaledTolerance(0, 10), /need width, height, referenceSize > 0/);
});

test('pointInBox: the enlarged border is inside, just past it is outside', () => {
  assert.ok(pointInBox(150, 120, box));
  assert.ok(pointInBox(200, 150, box)); // corner, no tolerance
  assert.ok(!pointInBox(200.001, 150, box));
  assert.ok(pointInBox(218, 120, box, 18)); // right border + 18
  assert.ok(!pointInBox(218.001, 120, box, 18));
  assert.ok(pointInBox(82, 82, box, 18)); // top-left corner − 18
  assert.ok(!pointInBox(81.999, 120, box, 18));
  assert.ok(!pointInBox(150, 168.5, box, 18));
});

function img(id: string, boxes: AnnotatedImage['boxes'], width = 500, height = 375): AnnotatedImage {
  return { id, width, height, boxes };
}

test('hits and misses at the tolerance border (500-px images: 18 px)', () => {
  const images = [
    img('a', [{ cls: 0, ...box }]),
    img('b', [{ cls: 0, ...box }]),
    img('c', [{ cls: 0, ...box }]),
    img('d', [{ cls: 1, ...box }]), // class 0 absent
  ];
  const preds: PointPrediction[] = [
    { imageIndex: 0, cls: 0, x: 218, y: 120, score: 0.9 }, // exactly on the enlarged border: hit
    { imageIndex: 3, cls: 0, x: 150, y: 120, score: 0.8 }, // class absent: false positive
    { imageIndex: 1, cls: 0, x: 218.5, y: 120, score: 0.7 }, // 0.5 px outside: miss (false positive)
    { imageIndex: 2, cls: 0, x: 150, y: 82, score: 0.6 }, // top border − 18: hit
    { imageIndex: 3, cls: 1, x: 100, y: 100, score: 0.5 }, // class 1: hit
  ];
  const r = pointwiseLocalizationAP(images, preds);
  // class 0 ranking: H F F H with 3 positive images -> precision 1, 1/2, 1/3, 1/2; recall 1/3, 1/3, 1/3, 2/3
  // AP = 1/3·1 + 1/3·1/2 (+ 1/3·0: image b never hit) = 1/2
  close(r.perClass[0]!, 0.5);
  assert.equal(r.perClass[1], 1);
  close(r.mean, 0.75);
  assert.deepEqual(r.numPositives, [3, 1]);
  assert.deepEqual(r.hits, [2, 1]);
});

test('tolerance scales with image size; a fixed tolerance and a function are accepted', () => {
  // 250-px image: default tolerance 9 px.
  const images = [img('s', [{ cls: 0, ...box }], 250, 250)];
  const at = (x: number): PointPrediction[] => [{ imageIndex: 0, cls: 0, x, y: 120, score: 1 }];
  assert.equal(pointwiseLocalizationAP(images, at(209)).mean, 1);
  assert.equal(pointwiseLocalizationAP(images, at(209.5)).mean, 0);
  assert.equal(pointwiseLocalizationAP(images, at(209.5), { tolerance: 18 }).mean, 1);
  assert.equal(pointwiseLocalizationAP(images, at(200.5), { tolerance: 0 }).mean, 0);
  assert.equal(pointwiseLocalizationAP(images, at(201), { tolerance: (im) => im.width / 250 }).mean, 1);
});

test('any box of the class counts; boxes of other classes do not', () => {
  const images = [
    img('two', [
      { cls: 0, x0: 0, y0: 0, x1: 11, y1: 11 },
      { cls: 0, x0: 300, y0: 300, x1: 311, y1: 311 },
      { cls: 1, x0: 100, y0: 100, x1: 201, y1: 201 },
    ]),
  ];
  const r = pointwiseLocalizationAP(images, [
    { imageIndex: 0, cls: 0, x: 305, y: 305, score: 1 },
    { imageIndex: 0, cls: 1, x: 305, y: 305, score: 1 }, // inside a class-0 box only: miss
  ], { tolerance: 0 });
  assert.deepEqual(r.perClass, [1, 0]);
});

test('difficult: class only difficult in an image -> image ignored for that class', () => {
  const images = [
    img('hard', [{ cls: 0, ...box, difficult: true }]),
    img('easy', [{ cls: 0, ...box }]),
    img('mixed', [{ cls: 0, x0: 0, y0: 0, x1: 21, y1: 21, difficult: true }, { cls: 0, ...box }]),
  ];
  // The difficult-only image scores highest with a wrong point: ignored, not a false positive.
  const preds: PointPrediction[] = [
    { imageIndex: 0, cls: 0, x: 400, y: 300, score: 0.99 },
    { imageIndex: 1, cls: 0, x: 150, y: 120, score: 0.9 },
    // In an image that has the class, a point on its difficult instance is still a hit.
    { imageIndex: 2, cls: 0, x: 10, y: 10, score: 0.8 },
  ];
  const r = pointwiseLocalizationAP(images, preds);
  assert.equal(r.perClass[0], 1);
  assert.deepEqual(r.numPositives, [2]);
  assert.deepEqual(r.hits, [2]);
});

test('classes without positive images are NaN and skipped in the mean; missing predictions are misses', () => {
  const images = [img('a', [{ cls: 0, ...box }]), img('b', [{ cls: 0, ...box }])];
  const r = pointwiseLocalizationAP(images, [{ imageIndex: 0, cls: 0, x: 150, y: 120, score: 1 }], { numClasses: 3 });
  close(r.perClass[0]!, 0.5); // one of two positive images localized, at precision 1
  assert.ok(Number.isNaN(r.perClass[1]!) && Number.isNaN(r.perClass[2]!));
  close(r.mean, 0.5);
  const none = pointwiseLocalizationAP([img('x', [])], []);
  assert.deepEqual(none.perClass, []);
  assert.ok(Number.isNaN(none.mean));
});

test('11-point method is passed through', () => {
  const images = [img('a', [{ cls: 0, ...box }]), img('b', [{ cls: 0, ...box }])];
  const preds: PointPrediction[] = [
    { imageIndex: 0, cls: 0, x: 0, y: 0, score: 2 }, // miss
    { imageIndex: 1, cls: 0, x: 150, y: 120, score: 1 }, // hit
  ];
  // F H: precision 0, 1/2; recall 0, 1/2. VOC2010: 1/2·1/2; 11-point: 6 points (t ≤ 0.5) of 1/2.
  close(pointwiseLocalizationAP(images, preds).mean, 0.25);
  close(pointwiseLocalizationAP(images, preds, { method: 'voc2007' }).mean, 3 / 11);
});

test('bad input raises an Error naming the problem', () => {
  const images = [img('a', [{ cls: 0, ...box }])];
  const p = (o: Partial<PointPrediction>): PointPrediction[] => [{ imageIndex: 0, cls: 0, x: 1, y: 1, score: 1, ...o }];
  assert.throws(() => pointwiseLocalizationAP(images, p({ imageIndex: 1 })), /predictions\[0\].imageIndex = 1 but there are 1 images/);
  assert.throws(() => pointwiseLocalizationAP(images, p({ score: NaN })), { name: 'RangeError', message: /predictions\[0\].score is NaN/ });
  assert.throws(() => pointwiseLocalizationAP(images, p({ x: NaN })), { name: 'RangeError', message: 'Expected a finite number for predictions[0].x of pointwiseLocalizationAP() but received NaN' });
  assert.throws(() => pointwiseLocalizationAP(images, p({ cls: 1.5 })), { name: 'RangeError', message: /integer >= 0 for predictions\[0\].cls of pointwiseLocalizationAP\(\) but received 1.5/ });
  assert.throws(() => pointwiseLocalizationAP(images, [...p({}), ...p({ x: 5 })]), /second prediction for image 0 and class 0/);
  assert.throws(() => pointwiseLocalizationAP(images, p({ cls: 4 }), { numClasses: 2 }), /class index 4 .* numClasses is 2/);
  assert.throws(
    () => pointwiseLocalizationAP([img('bad', [{ cls: 0, x0: 10, y0: 0, x1: 5, y1: 5 }])], []),
    /images\[0\] \(id "bad"\).boxes\[0\] is empty \(x0=10, x1=5, y0=0, y1=5\)/,
  );
  assert.throws(() => pointwiseLocalizationAP(images, p({}), { tolerance: -1 }), /tolerance of images\[0\].* is -1/);
});
