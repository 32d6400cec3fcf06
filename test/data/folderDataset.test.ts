import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFolderDataset } from '../../src/data/folderDataset.js';
import { withTempDir } from './fixtures.js';

test('folder per class: sorted classes and ids, one-hot labels, nested files, hidden and non-image files skipped', async () => {
  await withTempDir(async (dir) => {
    for (const [f, content] of [['coast/b.jpg', 'x'], ['coast/a.PNG', 'x'], ['bedroom/z/1.jpeg', 'x'], ['bedroom/notes.txt', 'x'], ['bedroom/.hidden.jpg', 'x']]) {
      await mkdir(join(dir, f!, '..'), { recursive: true });
      await writeFile(join(dir, f!), content!);
    }
    await mkdir(join(dir, '.cache'));
    const ds = await readFolderDataset(dir);
    assert.deepEqual(ds.classNames, ['bedroom', 'coast']);
    assert.deepEqual(ds.ids, ['bedroom/z/1.jpeg', 'coast/a.PNG', 'coast/b.jpg']);
    assert.deepEqual([...ds.classIndex], [0, 1, 1]);
    assert.deepEqual([...ds.labels], [1, -1, -1, 1, -1, 1]);
    assert.equal(ds.imagePath(1), join(dir, 'coast', 'a.PNG'));
    await assert.rejects(readFolderDataset(dir, { classNames: ['coast', 'forest'] }), /class folder missing: .*forest/);
    await assert.rejects(readFolderDataset(join(dir, 'nope')), /dataset folder not found: .*nope \(expected one sub-folder of images per class\)/);
  });
});
