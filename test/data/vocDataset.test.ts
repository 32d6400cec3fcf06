import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeIndexedPng } from '../../src/data/indexedPng.js';
import { openVocDataset, readVocSegmentation, VOC_CLASSES } from '../../src/data/vocDataset.js';
import { vocColormap } from '../../src/data/vocPalette.js';
import { withTempDir } from './fixtures.js';

/** A miniature real-VOC folder: 3 images, the 20 classes, one difficult object. */
async function makeVoc(root: string): Promise<void> {
  for (const d of ['JPEGImages', 'Annotations', 'SegmentationClass', 'ImageSets/Main', 'ImageSets/Segmentation']) {
    await mkdir(join(root, d), { recursive: true });
  }
  const ids = ['2008_000001', '2008_000002', '2008_000003'];
  const objects: Record<string, Array<[string, number]>> = {
    '2008_000001': [['dog', 0], ['person', 0]],
    '2008_000002': [['cat', 1]],
    '2008_000003': [['dog', 0], ['dog', 1]],
  };
  for (const id of ids) {
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 10, g: 200, b: 30 } } }).jpeg().toFile(join(root, 'JPEGImages', `${id}.jpg`));
    const objs = objects[id]!.map(([name, difficult]) =>
      `<object><name>${name}</name><difficult>${difficult}</difficult><bndbox><xmin>2</xmin><ymin>3</ymin><xmax>20</xmax><ymax>25</ymax></bndbox></object>`).join('');
    await writeFile(join(root, 'Annotations', `${id}.xml`), `<annotation><filename>${id}.jpg</filename><size><width>40</width><height>30</height><depth>3</depth></size>${objs}</annotation>`);
  }
  await writeFile(join(root, 'ImageSets', 'Main', 'train.txt'), ids.join('\n') + '\n');
  for (const cls of VOC_CLASSES) {
    const lines = ids.map((id) => {
      const o = objects[id]!.filter(([n]) => n === cls);
      const v = o.length === 0 ? -1 : o.some(([, d]) => d === 0) ? 1 : 0;
      return `${id} ${String(v).padStart(2)}`;
    });
    await writeFile(join(root, 'ImageSets', 'Main', `${cls}_train.txt`), lines.join('\n') + '\n');
  }
  await writeFile(join(root, 'ImageSets', 'Segmentation', 'val.txt'), 'seg_1\n');
}

test('reads a VOC 2012-style folder: 20 classes, difficult = 0, boxes, sizes', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'VOCdevkit', 'VOC2012');
    await makeVoc(root);
    for (const entry of [dir, join(dir, 'VOCdevkit'), root]) {
      const voc = await openVocDataset(entry, { split: 'train' });
      assert.equal(voc.root, root);
    }
    const voc = await openVocDataset(dir, { split: 'train', year: 2012 });
    assert.deepEqual(voc.classNames, VOC_CLASSES);
    assert.equal(voc.ids.length, 3);
    const C = 20;
    const dog = VOC_CLASSES.indexOf('dog');
    const cat = VOC_CLASSES.indexOf('cat');
    const person = VOC_CLASSES.indexOf('person');
    assert.equal(voc.labels[0 * C + dog], 1);
    assert.equal(voc.labels[0 * C + person], 1);
    assert.equal(voc.labels[1 * C + cat], 0, 'difficult only');
    assert.equal(voc.labels[1 * C + dog], -1);
    assert.equal(voc.labels[2 * C + dog], 1);
    const a = await voc.annotation(2);
    assert.deepEqual(a.objects.map((o) => o.difficult), [false, true]);
    assert.deepEqual(a.objects[0]!.box, { x0: 1, y0: 2, x1: 20, y1: 25 });
    assert.deepEqual(await voc.imageSize(0), { width: 40, height: 30 });
    assert.equal(voc.imagePath(1), join(root, 'JPEGImages', '2008_000002.jpg'));
    // A subset of classes chosen by the caller.
    const sub = await openVocDataset(root, { split: 'train', classNames: ['person', 'dog'] });
    assert.deepEqual([...sub.labels], [1, 1, -1, -1, -1, 1]);
  });
});

test('clear errors: missing folder, missing ImageSets file, missing class file, several years, missing mask', async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(openVocDataset(join(dir, 'nope'), { split: 'train' }), (e: Error) =>
      e.message.includes(`VOC folder not found: ${join(dir, 'nope')}`) && e.message.includes('ImageSets/Main/<split>.txt'));
    await assert.rejects(openVocDataset(dir, { split: 'train' }), /is not a VOC folder: no ImageSets\/ in it nor in a VOC<year>\/ subfolder/);
    const root = join(dir, 'VOC2007');
    await makeVoc(root);
    await assert.rejects(openVocDataset(root, { split: 'test' }), (e: Error) =>
      e.message.includes(`missing ImageSets file for split 'test': ${join(root, 'ImageSets', 'Main', 'test.txt')}`) &&
      e.message.includes('splits available there: train'));
    await assert.rejects(openVocDataset(root, { split: 'train', classNames: ['dog', 'unicorn'] }),
      (e: Error) => e.message.includes(`missing VOC label file for class 'unicorn' and split 'train': ${join(root, 'ImageSets', 'Main', 'unicorn_train.txt')}`));
    await makeVoc(join(dir, 'VOC2012'));
    await assert.rejects(openVocDataset(dir, { split: 'train' }), /holds several VOC folders .*choose one with the 'year' option/);
    await assert.rejects(openVocDataset(dir, { split: 'train', year: 2010 }), /no VOC2010 folder with ImageSets\//);
    await writeFile(join(root, 'Annotations', 'seg_1.xml'), '<annotation><size><width>4</width><height>4</height></size></annotation>');
    const seg = await openVocDataset(root, { split: 'val', task: 'segmentation' });
    await assert.rejects(seg.segmentation(0), (e: Error) =>
      e.message.includes(`segmentation mask not found: ${join(root, 'SegmentationClass', 'seg_1.png')}`));
  });
});

test('bad ImageSets content is a DataFileError naming the file and line: a malformed label, a missing label, an empty split', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'VOC2012');
    await makeVoc(root);
    const dogFile = join(root, 'ImageSets', 'Main', 'dog_train.txt');
    await writeFile(dogFile, '2008_000001  1\n2008_000002 yes\n');
    await assert.rejects(openVocDataset(root, { split: 'train' }), { name: 'DataFileError', message: `${dogFile}: line 2: expected '<id> <1|-1|0>', got '2008_000002 yes'` });
    await writeFile(dogFile, '2008_000001  1\n2008_000002 -1\n');
    await assert.rejects(openVocDataset(root, { split: 'train' }), { name: 'DataFileError', message: `${dogFile}: no label for image '2008_000003' of split 'train'` });
    const splitFile = join(root, 'ImageSets', 'Main', 'train.txt');
    await writeFile(splitFile, '\n');
    await assert.rejects(openVocDataset(root, { split: 'train' }), { name: 'DataFileError', message: `${splitFile}: the split 'train' lists no image ids` });
  });
});

test('segmentation split without annotation file gives a clear error; malformed XML names the file', async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'VOC2007');
    await makeVoc(root);
    await assert.rejects(openVocDataset(root, { split: 'val', task: 'segmentation' }), /annotation file not found: .*Annotations\/seg_1\.xml/);
    await writeFile(join(root, 'Annotations', '2008_000002.xml'), '<annotation><size></annotation>');
    const voc = await openVocDataset(root, { split: 'train' });
    await assert.rejects(voc.annotation(1), /2008_000002\.xml: malformed XML at line 1, column 31: unexpected close tag/);
  });
});

test('segmentation masks: VOC palette PNG, other palette order, and RGB PNG all map to class indices', async () => {
  await withTempDir(async (dir) => {
    const w = 6;
    const h = 4;
    const classes = Uint8Array.from({ length: w * h }, (_, p) => [0, 1, 15, 255, 20, 7][p % 6]!);
    const voc = vocColormap();
    await writeFile(join(dir, 'a.png'), encodeIndexedPng({ width: w, height: h, indices: classes, palette: voc }));
    // Same colours, but stored with a shuffled palette (as some tools re-index palettes).
    const order = [255, 20, 15, 7, 1, 0];
    const palette = new Uint8Array(order.length * 3);
    order.forEach((k, j) => palette.set(voc.subarray(3 * k, 3 * k + 3), 3 * j));
    const reindexed = classes.map((k) => order.indexOf(k));
    await writeFile(join(dir, 'b.png'), encodeIndexedPng({ width: w, height: h, indices: reindexed, palette }));
    // RGB PNG with the VOC colours.
    const rgb = new Uint8Array(w * h * 3);
    classes.forEach((k, p) => rgb.set(voc.subarray(3 * k, 3 * k + 3), 3 * p));
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'c.png'));
    for (const f of ['a.png', 'b.png', 'c.png']) {
      const m = await readVocSegmentation(join(dir, f));
      assert.deepEqual([m.width, m.height], [w, h]);
      assert.deepEqual([...m.data], [...classes], f);
    }
    rgb[0] = 3; // a colour outside the VOC map
    await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(dir, 'd.png'));
    await assert.rejects(readVocSegmentation(join(dir, 'd.png')), { name: 'DataFileError', message: /d\.png: pixel 0,0 has colour \(3, 0, 0\), not in the VOC colour map/ });
  });
});

test("an object name outside the class list fails by default naming the file, or warns with 'warn'; ids that are paths are refused", async () => {
  await withTempDir(async (dir) => {
    const root = join(dir, 'VOC2012');
    await makeVoc(root);
    await writeFile(join(root, 'Annotations', '2008_000002.xml'),
      '<annotation><size><width>40</width><height>30</height></size><object><name>persn</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>');
    const voc = await openVocDataset(root, { split: 'train' });
    await assert.rejects(voc.annotation(1), { name: 'DataFileError', message: /2008_000002\.xml: object 1 'persn' is not one of the dataset's classes \(aeroplane, .*unknownClass: 'warn'/ });
    const warnings: string[] = [];
    const lenient = await openVocDataset(root, { split: 'train', unknownClass: 'warn', onWarning: (m) => warnings.push(m) });
    assert.equal((await lenient.annotation(1)).objects.length, 1);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /2008_000002\.xml: warning: leaving out object 1 'persn'/);

    await writeFile(join(root, 'ImageSets', 'Main', 'evil.txt'), '2008_000001\n../../../etc/passwd\n');
    await assert.rejects(openVocDataset(root, { split: 'evil', classNames: ['dog'] }), { name: 'DataFileError', message: /evil\.txt: image id '\.\.\/\.\.\/\.\.\/etc\/passwd' names a path/ });
  });
});
