import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCsvDataset, readCsvDataset } from '../../src/data/csvDataset.js';
import { withTempDir } from './fixtures.js';

test('label lists: names separated by spaces after ";" or by spaces only; multi-class detection', () => {
  const a = parseCsvDataset('path;labels\nimg/1.jpg;cat dog\nimg/2.jpg;dog\n', 'a.csv', { root: '/data' });
  assert.deepEqual(a.ids, ['img/1.jpg', 'img/2.jpg']);
  assert.deepEqual(a.classNames, ['cat', 'dog']);
  assert.deepEqual([...a.labels], [1, 1, -1, 1]);
  assert.equal(a.classIndex, undefined);
  assert.equal(a.imagePath(0), '/data/img/1.jpg');
  const b = parseCsvDataset('x/1.jpg bedroom\nx/2.jpg coast\n/abs/3.jpg bedroom\n', 'b.txt', { root: '/r', allowOutsideRoot: true });
  assert.deepEqual(b.classNames, ['bedroom', 'coast']);
  assert.deepEqual([...b.classIndex!], [0, 1, 0]);
  assert.equal(b.imagePath(2), '/abs/3.jpg');
  const c = parseCsvDataset('1.jpg;2\n2.jpg;0\n', 'c.csv');
  assert.deepEqual(c.classNames, ['0', '1', '2']);
  assert.deepEqual([...c.classIndex!], [2, 0]);
  assert.equal(c.imagePath(0), resolve('1.jpg'));
  const d = parseCsvDataset('1.jpg;dog\n', 'd.csv', { classNames: ['cat', 'dog', 'cow'] });
  assert.deepEqual([...d.labels], [-1, 1, -1]);
  assert.throws(() => parseCsvDataset('1.jpg;horse\n', 'e.csv', { classNames: ['cat'] }), /e\.csv: line 1: unknown class 'horse'/);
  assert.throws(() => parseCsvDataset('1.jpg\n', 'f.csv'), /f\.csv: line 1: no label after the path '1\.jpg'/);
});

test('label matrices: 0/1 files and VOC-style 1/-1/0 files', () => {
  const a = parseCsvDataset('image,cat,dog,cow\n1.jpg,1,0,1\n2.jpg,0,1,0\n', 'a.csv');
  assert.deepEqual(a.classNames, ['cat', 'dog', 'cow']);
  assert.deepEqual([...a.labels], [1, -1, 1, -1, 1, -1]);
  assert.equal(a.classIndex, undefined);
  const b = parseCsvDataset('path;cat;dog\n1.jpg;1;-1\n2.jpg;0;1\n', 'b.csv');
  assert.deepEqual([...b.labels], [1, -1, 0, 1], '0 = ignored when -1 is used');
  const c = parseCsvDataset('file\tcat\tdog\n1.jpg\t0\t1\n2.jpg\t1\t0\n', 'c.tsv');
  assert.deepEqual([...c.classIndex!], [1, 0]);
  assert.throws(() => parseCsvDataset('path;cat;dog\n1.jpg;1;2\n', 'd.csv'), /d\.csv: line 2: label '2' for class 'dog' is not 1, 0 or -1/);
});

test('readCsvDataset resolves paths against the CSV folder and reports a missing file', async () => {
  await withTempDir(async (dir) => {
    await writeFile(join(dir, 'l.csv'), 'a.jpg;x\n');
    const ds = await readCsvDataset(join(dir, 'l.csv'));
    assert.equal(ds.imagePath(0), join(dir, 'a.jpg'));
    await assert.rejects(readCsvDataset(join(dir, 'none.csv')), /CSV dataset file not found: .*none\.csv/);
  });
});

test('quoted fields (RFC 4180), bounded integer labels, 130,000 rows without a stack overflow, paths kept inside the root', () => {
  const q = parseCsvDataset('"a;b.jpg";cat\n"say ""hi"".jpg";dog\n', 'q.csv', { root: '/r' });
  assert.deepEqual(q.ids, ['a;b.jpg', 'say "hi".jpg']);
  assert.throws(() => parseCsvDataset('a.jpg;20000000', 'big.csv'),
    { name: 'InputLimitError', message: /^big\.csv: line 1: the integer label 20000000 \(20000001 classes\) is over the limit of 100,000 \(classes\); .*WILDCAT_LIMITS=classes=21000000/ });
  const rows = Array.from({ length: 130_000 }, (_, i) => `img/${i}.jpg;${i % 7}`).join('\n');
  const many = parseCsvDataset(rows, 'many.csv', { root: '/r' });
  assert.equal(many.classNames.length, 7);
  assert.equal(many.ids.length, 130_000);
  assert.throws(() => parseCsvDataset(rows, 'rows.csv', { limits: { csvRows: 1000 } }), { name: 'InputLimitError', message: /^rows\.csv: a CSV file of more than 1000 rows is over the limit of 1,000 \(csvRows\)/ });
  assert.throws(() => parseCsvDataset('ok.jpg;1\n../../secret.jpg;0\n', 'up.csv', { root: '/r' }), { name: 'DataFileError', message: /^up\.csv: line 2: image path '\.\.\/\.\.\/secret\.jpg' is outside the dataset folder \/r/ });
  assert.throws(() => parseCsvDataset('/etc/passwd;0\n', 'abs.csv', { root: '/r' }), { message: /^abs\.csv: line 1: image path '\/etc\/passwd' is outside/ });
  assert.equal(parseCsvDataset('sub/../ok.jpg;1\n', 'fine.csv', { root: '/r' }).imagePath(0), '/r/ok.jpg');
  assert.throws(() => parseCsvDataset('"unterminated;1\n', 'bad.csv'), { name: 'DataFileError', message: /^bad\.csv: not a valid CSV file: / });
});
