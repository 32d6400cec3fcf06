import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../src/data/fashionMnist.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../src/data/canvas.js';
import { SingleItemGenerator } from '../../src/data/singleItems.js';
import { Rng } from '../../src/data/random.js';
import { syntheticItems } from './fixtures.js';

test('single-item batches: shapes, labels, normalization and determinism', () => {
  const items = syntheticItems(4, 5);
  const gen = new SingleItemGenerator(items, { seed: 3 });
  const b = gen.nextBatch(8);
  assert.equal(b.images.length, 8 * 3 * 96 * 96);
  assert.equal(b.labels.length, 8);
  for (const l of b.labels) assert.ok(l >= 0 && l < 4);
  const lo = (0 - IMAGENET_MEAN[0]) / IMAGENET_STD[0];
  const hi = (1 - IMAGENET_MEAN[2]) / IMAGENET_STD[2];
  for (const v of b.images) assert.ok(v >= lo - 1e-5 && v <= hi + 1e-5);
  const again = new SingleItemGenerator(items, { seed: 3 });
  assert.deepEqual(again.nextBatch(8).images, b.images);
  assert.deepEqual(gen.batchAt(0, 8).labels, b.labels);
  assert.notDeepEqual(gen.nextBatch(8).images, b.images, 'next batch differs');
  const other = new SingleItemGenerator(items, { seed: 4 });
  assert.notDeepEqual(other.nextBatch(8).images, b.images);
});

test('single items lie inside the canvas at the requested scale', () => {
  const gen = new SingleItemGenerator(syntheticItems(), { seed: 1, minSize: 36, maxSize: 84, aspectJitter: 0 });
  for (let k = 0; k < 50; k++) {
    const s = gen.sample(new Rng(k));
    const w = s.frame.x1 - s.frame.x0;
    assert.ok(w >= 36 && w <= 84, `frame width ${w}`);
    assert.ok(s.frame.x0 >= 0 && s.frame.x1 <= 96 && s.frame.y0 >= 0 && s.frame.y1 <= 96);
  }
  assert.throws(() => new SingleItemGenerator(syntheticItems(), { maxSize: 100 }), /maxSize 100 exceeds canvasSize 96/);
});

test('single-item generation speed on Fashion-MNIST', { skip: !existsSync(FASHION_MNIST_DIR) }, async () => {
  const gen = new SingleItemGenerator(await loadFashionMnist('train'), { seed: 0 });
  gen.nextBatch(64);
  const t = performance.now();
  for (let i = 0; i < 5; i++) gen.nextBatch(64);
  const ms = (performance.now() - t) / 5;
  console.log(`single items: ${ms.toFixed(1)} ms per batch of 64 at 96 px`);
  assert.ok(ms < 500);
});
