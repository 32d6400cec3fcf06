import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist, parseIdx, readIdxFile,
} from '../../src/data/fashionMnist.js';
import { withTempDir } from './fixtures.js';

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, data]);
}

test('parseIdx reads dims and data, and rejects bad magic, dims and lengths', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const a = parseIdx(idx([2, 3, 4], data), 'x.idx', 3);
  assert.deepEqual(a.dims, [2, 3, 4]);
  assert.deepEqual([...a.data], [...data]);
  const bad = idx([2, 3, 4], data);
  bad[0] = 1;
  assert.throws(() => parseIdx(bad, 'bad.idx'), /bad\.idx: bad IDX magic number 0x01000803/);
  const float = idx([2], Uint8Array.of(1, 2));
  float[2] = 0x0d;
  assert.throws(() => parseIdx(float, 'f.idx'), /data type 0x0d is not supported/);
  assert.throws(() => parseIdx(idx([6], Uint8Array.of(1, 2)), 'l.idx', 1), /l\.idx: IDX dims \[6\] need 6 data bytes but the file has 2/);
  assert.throws(() => parseIdx(idx([2], Uint8Array.of(1, 2)), 'd.idx', 3), /has 1 dimension\(s\), expected 3/);
});

test('loadFashionMnist reads a small gzipped set and names the apt package when files are missing', async () => {
  await withTempDir(async (dir) => {
    const images = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251);
    await writeFile(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([3, 28, 28], images)));
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([3], Uint8Array.of(0, 9, 4))));
    const set = await loadFashionMnist('train', { dir });
    assert.equal(set.count, 3);
    assert.deepEqual([...set.labels], [0, 9, 4]);
    assert.equal(set.pixels[785], images[785]);
    assert.equal(set.classNames[9], 'boot');
    // Labels that do not match the image count.
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx([3, 28, 28], images)));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), idx([2], Uint8Array.of(0, 1)));
    await assert.rejects(loadFashionMnist('test', { dir }), /has 3 images but .*t10k-labels-idx1-ubyte has 2 labels/);
    const empty = join(dir, 'nothing');
    await assert.rejects(loadFashionMnist('train', { dir: empty }),
      (e: Error) => e.message.includes(join(empty, 'train-images-idx3-ubyte.gz')) && e.message.includes('apt-get install dataset-fashion-mnist'));
    await writeFile(join(dir, 'broken.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await assert.rejects(readIdxFile(join(dir, 'broken.gz')), /broken\.gz: corrupt gzip data/);
  });
});

test('class identifiers are VOC-friendly', () => {
  assert.equal(FASHION_MNIST_CLASSES.length, 10);
  for (const c of FASHION_MNIST_CLASSES) assert.match(c, /^[a-z]+$/);
});

test('real Fashion-MNIST files, when installed, have 60000 and 10000 items', { skip: !existsSync(FASHION_MNIST_DIR) }, async () => {
  const [train, t10k] = await Promise.all([loadFashionMnist('train'), loadFashionMnist('test')]);
  assert.equal(train.count, 60000);
  assert.equal(t10k.count, 10000);
  assert.equal(train.pixels.length, 60000 * 784);
  const counts = new Array(10).fill(0);
  for (const l of t10k.labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(1000));
});
