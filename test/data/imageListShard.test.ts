import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shardRange, sliceImageList } from '../../src/data/imageListShard.js';
import type { LabeledImageList } from '../../src/data/imageList.js';

test('shardRange: contiguous whole blocks covering the list once; sliceImageList keeps labels and paths', () => {
  for (const [length, count, align] of [[40, 3, 16], [40, 2, 1], [7, 4, 1], [5, 4, 16], [0, 2, 8]] as const) {
    const ranges = Array.from({ length: count }, (_, i) => shardRange(length, i, count, align));
    assert.equal(ranges[0]![0], 0);
    assert.equal(ranges.at(-1)![1], length);
    ranges.forEach(([s, e], i) => {
      assert.ok(s <= e, `${length}/${count}/${align}: shard ${i}`);
      if (i > 0) assert.equal(s, ranges[i - 1]![1]);
      assert.ok(s % align === 0, 'starts on a block boundary');
    });
  }
  assert.deepEqual(Array.from({ length: 3 }, (_, i) => shardRange(40, i, 3, 16)), [[0, 16], [16, 32], [32, 40]]);
  assert.throws(() => shardRange(10, 3, 3), /shard 3\/3: expected 0 <= shard < count/);

  const list: LabeledImageList = { ids: ['a', 'b', 'c', 'd'], classNames: ['x', 'y'], labels: Int8Array.from([1, -1, -1, 1, 0, 1, 1, 1]), classIndex: Int32Array.from([0, 1, 1, 0]), imagePath: (i) => `/img/${i}.png` };
  const s = sliceImageList(list, 1, 3);
  assert.deepEqual([s.ids, [...s.labels], [...s.classIndex!], s.imagePath(0), s.imagePath(1)], [['b', 'c'], [-1, 1, 0, 1], [1, 1], '/img/1.png', '/img/2.png']);
  assert.throws(() => sliceImageList(list, 2, 5), /\[2, 5\) is not a range of the 4 images/);
});
