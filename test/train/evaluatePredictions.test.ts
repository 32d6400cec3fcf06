import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVocDataset, type VocDataset } from '../../src/data/index.js';
import { scaledTolerance } from '../../src/eval/index.js';
import type { PixelBox } from '../../src/data/box.js';
import { annotatedImages, classificationMetrics, evaluatePredictions } from '../../src/train/evaluatePredictions.js';
import type { Predictions } from '../../src/train/predict.js';
import { writeTinyScenes } from './fixtures.js';

let root: string;
let ds: VocDataset;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-evalpred-'));
  await writeTinyScenes(root, { train: 1, val: 1, test: 16 });
  ds = await openVocDataset(root, { split: 'test' });
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Predictions from the ground truth: scores = labels, each class's point where `place` puts it. */
async function oracle(place: (box: PixelBox, cls: number, image: number) => [number, number]): Promise<Predictions> {
  const images = await annotatedImages(ds);
  const N = ds.ids.length;
  const C = ds.classNames.length;
  const scores = new Float32Array(N * C);
  const points = new Float32Array(N * C * 2);
  const sizes = new Int32Array(N * 2);
  for (let i = 0; i < N; i++) {
    sizes[2 * i] = images[i]!.width;
    sizes[2 * i + 1] = images[i]!.height;
    for (let c = 0; c < C; c++) {
      scores[i * C + c] = ds.labels[i * C + c]!;
      const box = images[i]!.boxes.find((b) => b.cls === c);
      const [x, y] = box ? place(box, c, i) : [0, 0];
      points[(i * C + c) * 2] = x;
      points[(i * C + c) * 2 + 1] = y;
    }
  }
  return { ids: [...ds.ids], classNames: ds.classNames, scores, points, sizes };
}

test('annotatedImages: VOC 1-based inclusive boxes become the dataset\'s 0-based half-open PixelBoxes', async () => {
  const images = await annotatedImages(ds);
  assert.equal(images.length, ds.ids.length);
  for (let i = 0; i < ds.ids.length; i++) {
    const a = await ds.annotation(i);
    assert.equal(images[i]!.id, ds.ids[i]);
    assert.deepEqual([images[i]!.width, images[i]!.height], [64, 64]);
    assert.deepEqual(
      images[i]!.boxes.map((b) => [ds.classNames[b.cls], b.x0, b.y0, b.x1, b.y1]),
      a.objects.map((o) => [o.name, o.bndbox.xmin - 1, o.bndbox.ymin - 1, o.bndbox.xmax, o.bndbox.ymax]),
    );
    // Every labelled class has a box, and every box a positive label.
    for (let c = 0; c < 4; c++) assert.equal(images[i]!.boxes.some((b) => b.cls === c), ds.labels[i * 4 + c] === 1);
  }
});

test('a perfect oracle (scores = labels, points at box centres, or at the box corners) scores mAP 1 and localization mAP 1', async () => {
  for (const place of [
    (b: PixelBox): [number, number] => [Math.round((b.x0 + b.x1 - 1) / 2), Math.round((b.y0 + b.y1 - 1) / 2)],
    (b: PixelBox): [number, number] => [b.x0, b.y0],
    (b: PixelBox): [number, number] => [b.x1 - 1, b.y1 - 1], // the last pixel row and column
  ]) {
    const m = await evaluatePredictions(await oracle(place), ds);
    assert.equal(m.images, 16);
    assert.deepEqual(m.classNames, ['alpha', 'beta', 'mu', 'zeta']);
    assert.equal(m.mAP, 1);
    assert.equal(m.mAP07, 1);
    assert.equal(m.locMAP, 1);
    assert.deepEqual(m.perClassAP, [1, 1, 1, 1]);
    assert.deepEqual(m.perClassLocAP, [1, 1, 1, 1]);
    assert.ok(JSON.parse(JSON.stringify(m)).locMAP === 1, 'serialisable');
  }
});

test('points outside the (tolerance-enlarged) boxes lower localization mAP, not classification mAP', async () => {
  const tol = scaledTolerance(64, 64);
  const images = await annotatedImages(ds);
  let moved = 0;
  const pred = await oracle((box, c, i) => {
    // The first pixel outside every enlarged box of class c, if any.
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        if (images[i]!.boxes.every((b) => b.cls !== c || x < b.x0 - tol || x > b.x1 - 1 + tol || y < b.y0 - tol || y > b.y1 - 1 + tol)) {
          moved++;
          return [x, y];
        }
      }
    }
    return [box.x0, box.y0];
  });
  assert.ok(moved > 10, `${moved} points moved out`);
  const m = await evaluatePredictions(pred, ds);
  assert.equal(m.mAP, 1);
  assert.ok(m.locMAP < 0.5, `locMAP ${m.locMAP}`);
  // Outside the box but within the tolerance still hits.
  const inside = await evaluatePredictions(await oracle((b) => [Math.min(63, Math.floor(b.x1 - 1 + tol)), b.y0]), ds);
  assert.equal(inside.locMAP, 1);
});

test('without points (classification-only predictions) localization is NaN; classificationMetrics agrees', async () => {
  const pred = await oracle(() => [0, 0]);
  const noPoints: Predictions = { ...pred, points: new Float32Array(0), sizes: new Int32Array(0) };
  const m = await evaluatePredictions(noPoints, ds);
  assert.equal(m.mAP, 1);
  assert.ok(Number.isNaN(m.locMAP));
  assert.ok(m.perClassLocAP.every(Number.isNaN));
  // Reversed scores: every positive ranked last.
  const reversed = { ...noPoints, scores: noPoints.scores.map((s) => -s) };
  const r = classificationMetrics(reversed, ds.labels);
  assert.ok(r.mAP < 0.6, `reversed mAP ${r.mAP}`);
});
