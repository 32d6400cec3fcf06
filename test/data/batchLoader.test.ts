import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { BatchLoader } from '../../src/data/batchLoader.js';
import type { LabeledImageList } from '../../src/data/imageList.js';
import { withTempDir } from './fixtures.js';

/** n images of distinct flat gray levels (so each is recognizable after loading), 3 classes. */
async function makeList(dir: string, n: number): Promise<LabeledImageList & { grayOf: number[] }> {
  const ids: string[] = [];
  const grayOf: number[] = [];
  const labels = new Int8Array(n * 3).fill(-1);
  for (let i = 0; i < n; i++) {
    const gray = 10 + i * 9;
    await sharp({ create: { width: 20 + i, height: 16, channels: 3, background: { r: gray, g: gray, b: gray } } }).png().toFile(join(dir, `${i}.png`));
    ids.push(`img${i}`);
    grayOf.push(gray);
    labels[i * 3 + (i % 3)] = 1;
  }
  return { ids, classNames: ['a', 'b', 'c'], labels, grayOf, imagePath: (i) => join(dir, `${i}.png`) };
}

test('each image once per epoch, right shapes and labels, seeded shuffles', async () => {
  await withTempDir(async (dir) => {
    const list = await makeList(dir, 11);
    const loader = new BatchLoader(list, { batchSize: 4, size: 8, seed: 3 });
    assert.equal(loader.numBatches, 3);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      const sizes: number[] = [];
      for await (const batch of loader.epoch(epoch)) {
        sizes.push(batch.batchSize);
        assert.equal(batch.images.length, batch.batchSize * 3 * 8 * 8);
        assert.equal(batch.labels.length, batch.batchSize * 3);
        assert.equal(batch.epoch, epoch);
        for (let b = 0; b < batch.batchSize; b++) {
          const i = batch.indices[b]!;
          seen.push(i);
          assert.equal(batch.ids[b], `img${i}`);
          assert.deepEqual([...batch.labels.subarray(b * 3, b * 3 + 3)], [...list.labels.subarray(i * 3, i * 3 + 3)]);
          // The pixels are those of image i (flat gray, channel 0 normalized).
          const v = batch.images[b * 192]!;
          assert.ok(Math.abs(v - (list.grayOf[i]! / 255 - 0.485) / 0.229) < 1e-4, `image ${i} pixels`);
        }
      }
      assert.deepEqual(sizes, [4, 4, 3]);
      assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 11 }, (_, i) => i), 'each image exactly once');
      orders.push(seen);
    }
    assert.notDeepEqual(orders[0], orders[1], 'epochs are shuffled differently');
    assert.deepEqual([...loader.order(1)], orders[1], 'order is a function of (seed, epoch)');
    const again = new BatchLoader(list, { batchSize: 4, size: 8, seed: 3 });
    assert.deepEqual([...again.order(0)], orders[0]);
    // dropLast, no shuffle, subset of indices, iteration protocol.
    const plain = new BatchLoader(list, { batchSize: 4, size: 8, shuffle: false, dropLast: true, indices: [0, 1, 2, 3, 4, 5, 6] });
    const got: number[] = [];
    for await (const b of plain) got.push(...b.indices);
    assert.deepEqual(got, [0, 1, 2, 3]);
  });
});

test('augmented loading is deterministic; errors surface with the file name; early exit is clean', async () => {
  await withTempDir(async (dir) => {
    const list = await makeList(dir, 6);
    const opts = { batchSize: 3, size: 8, seed: 1, augment: { flip: true, scaleJitter: [0.5, 1] as const } };
    const first: Float32Array[] = [];
    for await (const b of new BatchLoader(list, opts).epoch(0)) first.push(b.images);
    const second: Float32Array[] = [];
    for await (const b of new BatchLoader(list, { ...opts, concurrency: 1 }).epoch(0)) second.push(b.images);
    assert.deepEqual(first, second);

    const loader = new BatchLoader(list, { batchSize: 2, size: 8 });
    for await (const b of loader.epoch(0)) {
      assert.equal(b.batchSize, 2);
      break; // the prefetched batch must not produce an unhandled rejection
    }
    await writeFile(join(dir, '4.png'), 'broken');
    const broken = new BatchLoader(list, { batchSize: 2, size: 8, shuffle: false });
    const seen: number[] = [];
    await assert.rejects((async () => {
      for await (const b of broken.epoch(0)) {
        seen.push(...b.indices);
        await new Promise((r) => setTimeout(r, 50)); // the failing prefetch settles meanwhile
      }
    })(), /4\.png: cannot decode the image/);
    assert.deepEqual(seen, [0, 1, 2, 3]);
  });
});

test('prefetch overlaps loading with the consumer', async () => {
  await withTempDir(async (dir) => {
    const list = await makeList(dir, 8);
    const loader = new BatchLoader(list, { batchSize: 2, size: 64 });
    let maxInFlight = 0;
    let inFlight = 0;
    const original = loader.loadBatch.bind(loader);
    loader.loadBatch = async (...args) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await original(...args);
      } finally {
        inFlight--;
      }
    };
    const inFlightAtYield: number[] = [];
    for await (const _ of loader.epoch(0)) {
      inFlightAtYield.push(inFlight);
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.deepEqual(inFlightAtYield, [1, 1, 1, 0], 'the next batch loads while the current one is used');
    assert.equal(maxInFlight, 1, 'one batch ahead, not more');
  });
});

test('shards (DistributedSampler): disjoint, equal, reshuffled per epoch; batch b of all shards is batch b of one process with an N× batch', () => {
  const n = 11;
  const list: LabeledImageList = { ids: Array.from({ length: n }, (_, i) => `img${i}`), classNames: ['a'], labels: new Int8Array(n), imagePath: () => 'unused' };
  const whole = new BatchLoader(list, { batchSize: 4, size: 8, seed: 5 });
  const shards = [0, 1].map((rank) => new BatchLoader(list, { batchSize: 2, size: 8, seed: 5, shard: { rank, count: 2 } }));
  assert.deepEqual(shards.map((s) => [s.length, s.numBatches]), [[5, 3], [5, 3]], '11 images cut to 10: 5 per shard');
  const firstOrders: number[][] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const all = [...whole.order(epoch)];
    const [a, b] = shards.map((s) => [...s.order(epoch)]) as [number[], number[]];
    firstOrders.push(a);
    assert.equal(new Set([...a, ...b]).size, 10, 'disjoint');
    for (let batch = 0; batch < 2; batch++) {
      const union = [...a.slice(2 * batch, 2 * batch + 2), ...b.slice(2 * batch, 2 * batch + 2)].sort((x, y) => x - y);
      assert.deepEqual(union, all.slice(4 * batch, 4 * batch + 4).sort((x, y) => x - y), `epoch ${epoch} batch ${batch}`);
    }
  }
  assert.notDeepEqual(firstOrders[0], firstOrders[1], 'reshuffled every epoch');
  assert.throws(() => new BatchLoader(list, { batchSize: 2, size: 8, shard: { rank: 2, count: 2 } }), /shard must be \{ rank in \[0, count\), count >= 1 \}/);
  assert.throws(() => new BatchLoader(list, { batchSize: 2, size: 8, shard: { rank: 0, count: 12 } }), /11 images cannot feed 12 shards/);
});
