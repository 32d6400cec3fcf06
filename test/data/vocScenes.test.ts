import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FASHION_MNIST_DIR } from '../../src/data/fashionMnist.js';
import { decodeImage } from '../../src/data/imagePipeline.js';
import { mixSeed } from '../../src/data/random.js';
import { SceneGenerator } from '../../src/data/scenes.js';
import { openVocDataset, readVocSegmentation } from '../../src/data/vocDataset.js';
import { writeVocScenes } from '../../src/data/vocSceneWriter.js';
import { syntheticItems, withTempDir } from './fixtures.js';

const items = { train: syntheticItems(4, 6), test: syntheticItems(4, 2) };
const sceneOptions = { minItemSize: 30, maxItemSize: 60 };

test('written scenes read back with the VOC reader: ids, labels, boxes, masks, images', async () => {
  await withTempDir(async (dir) => {
    const summary = await writeVocScenes({ out: dir, counts: { train: 5, val: 3, test: 2 }, seed: 9, size: 96, items, scene: sceneOptions });
    assert.equal(summary.root, join(dir, 'VOC2007'));
    assert.deepEqual(summary.ids.train, ['000001', '000002', '000003', '000004', '000005']);
    assert.deepEqual(summary.ids.val, ['000006', '000007', '000008']);
    assert.deepEqual(summary.ids.test, ['000009', '000010']);
    const top = (await readdir(summary.root)).sort();
    assert.deepEqual(top, ['Annotations', 'ImageSets', 'JPEGImages', 'SegmentationClass', 'SegmentationObject']);
    assert.deepEqual((await readdir(join(summary.root, 'ImageSets'))).sort(), ['Main', 'Segmentation']);
    assert.equal((await readdir(dir)).length, 1, 'no temporary folder left behind');

    for (const [split, generatorItems] of [['train', items.train], ['val', items.train], ['test', items.test]] as const) {
      // Read through the VOCdevkit level, classes detected from the <class>_<split>.txt files.
      const voc = await openVocDataset(dir, { split });
      assert.deepEqual(voc.classNames, ['alpha', 'beta', 'mu', 'zeta']);
      assert.deepEqual(voc.ids, summary.ids[split]);
      const gen = new SceneGenerator(generatorItems, { ...sceneOptions, size: 96, classNames: voc.classNames, seed: mixSeed(9, split) });
      for (let i = 0; i < voc.ids.length; i++) {
        const scene = gen.sceneAt(i);
        assert.deepEqual(voc.labels.subarray(i * 4, i * 4 + 4), gen.labelsOf(scene));
        const a = await voc.annotation(i);
        assert.equal(a.filename, `${voc.ids[i]}.jpg`);
        assert.deepEqual([a.width, a.height, a.depth, a.segmented], [96, 96, 3, true]);
        assert.deepEqual(a.objects.map((o) => o.name), scene.objects.map((o) => o.className));
        a.objects.forEach((o, j) => {
          const truth = scene.objects[j]!.box;
          assert.deepEqual(o.box, truth, '0-based half-open box');
          assert.deepEqual(o.bndbox, { xmin: truth.x0 + 1, ymin: truth.y0 + 1, xmax: truth.x1, ymax: truth.y1 }, 'VOC 1-based inclusive');
          assert.equal(o.difficult, false);
          assert.equal(o.truncated, false);
        });
        const mask = await voc.segmentation(i);
        assert.deepEqual([mask.width, mask.height], [96, 96]);
        assert.deepEqual(mask.data, scene.classMask, 'mask equals what was drawn');
        const inst = await readVocSegmentation(join(voc.root, 'SegmentationObject', `${voc.ids[i]}.png`));
        assert.deepEqual(inst.data, scene.instanceMask);
        const img = await decodeImage(voc.imagePath(i));
        let diff = 0;
        for (let p = 0; p < img.rgb.length; p++) diff += Math.abs(img.rgb[p]! - scene.rgb[p]!);
        assert.ok(diff / img.rgb.length < 4, `JPEG close to the rendered scene (mean abs diff ${diff / img.rgb.length})`);
        assert.deepEqual(await voc.imageSize(i), { width: 96, height: 96 });
      }
    }
    const trainval = await openVocDataset(join(dir, 'VOC2007'), { split: 'trainval' });
    assert.equal(trainval.ids.length, 8);
    const seg = await openVocDataset(dir, { split: 'val', task: 'segmentation' });
    const cls = await openVocDataset(dir, { split: 'val' });
    assert.deepEqual(seg.labels, cls.labels, 'labels from annotations = labels from ImageSets files');

    // VOC's "%s %2d" line format.
    const lines = (await readFile(join(summary.root, 'ImageSets', 'Main', 'alpha_train.txt'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 5);
    for (const l of lines) assert.match(l, /^\d{6} ( 1|-1)$/);
    assert.match(await readFile(join(summary.root, 'Annotations', '000001.xml'), 'utf8'), /<folder>VOC2007<\/folder>\n\t<filename>000001\.jpg<\/filename>/);

    await assert.rejects(writeVocScenes({ out: dir, counts: { train: 1, val: 0, test: 0 }, items }), /already exists; .*overwrite: true/);
  });
});

test('the scene writer is deterministic (same seed, same bytes)', async () => {
  await withTempDir(async (dir) => {
    const opts = { counts: { train: 3, val: 1, test: 1 }, seed: 4, size: 96, items, scene: sceneOptions };
    await writeVocScenes({ ...opts, out: join(dir, 'a') });
    await writeVocScenes({ ...opts, out: join(dir, 'b') });
    for (const sub of ['JPEGImages/000002.jpg', 'Annotations/000005.xml', 'SegmentationClass/000003.png', 'ImageSets/Main/mu_trainval.txt']) {
      assert.deepEqual(await readFile(join(dir, 'a', 'VOC2007', sub)), await readFile(join(dir, 'b', 'VOC2007', sub)), sub);
    }
  });
});

test('writing 1000 Fashion-MNIST scenes at 192 px (timing)', { skip: !existsSync(FASHION_MNIST_DIR) }, async () => {
  await withTempDir(async (dir) => {
    const t = performance.now();
    const r = await writeVocScenes({ out: dir, counts: { train: 800, val: 100, test: 100 }, seed: 1 });
    const s = (performance.now() - t) / 1000;
    console.log(`wrote 1000 scenes (192 px, ${r.objects} objects) in ${s.toFixed(2)} s including Fashion-MNIST loading`);
    const voc = await openVocDataset(dir, { split: 'train' });
    assert.equal(voc.ids.length, 800);
    assert.deepEqual(voc.classNames, ['bag', 'boot', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 'trouser', 'tshirt']);
    const positives = new Array(10).fill(0);
    for (let i = 0; i < 800; i++) for (let c = 0; c < 10; c++) if (voc.labels[i * 10 + c] === 1) positives[c]++;
    for (const p of positives) assert.ok(p > 100, `every class well represented: ${positives}`);
  });
});
