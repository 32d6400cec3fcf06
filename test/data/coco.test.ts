import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeRleCounts, encodeRleCounts, maskToRleCounts, rasterizePolygons, rleToMask,
} from '../../src/data/cocoMasks.js';
import { parseCocoInstances, readCocoInstances } from '../../src/data/cocoInstances.js';
import { CocoDataset, openCocoDataset } from '../../src/data/cocoDataset.js';
import { openDataset, openVocSplit } from '../../src/train/datasetSpec.js';
import { withTempDir } from './fixtures.js';

// Image 1 (8×6): a person polygon (the rectangle x 1..4, y 1..3), a crowd of people as
// uncompressed RLE, a dog as compressed RLE. Image 2 (5×4): no annotation. Image 3 (4×4): a dog.
const W1 = 8;
const H1 = 6;
/** Row-major 0/1 mask of image 1 with the pixels of `box` (x0, y0, x1, y1 half-open) set. */
function boxMask(w: number, h: number, x0: number, y0: number, x1: number, y1: number): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}
const crowdMask = boxMask(W1, H1, 5, 0, 8, 2);
const dogMask = boxMask(W1, H1, 4, 3, 7, 6);

function fixture(): object {
  return {
    info: { description: 'made by the test' },
    licenses: [],
    images: [
      { id: 1, file_name: 'a.jpg', width: W1, height: H1 },
      { id: 2, file_name: 'b.jpg', width: 5, height: 4 },
      { id: 3, file_name: 'c.jpg', width: 4, height: 4 },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, bbox: [1, 1, 3, 2], area: 6, iscrowd: 0, segmentation: [[1, 1, 4, 1, 4, 3, 1, 3]] },
      { id: 11, image_id: 1, category_id: 1, bbox: [5, 0, 3, 2], area: 6, iscrowd: 1, segmentation: { size: [H1, W1], counts: [...maskToRleCounts(crowdMask, H1, W1)] } },
      { id: 12, image_id: 1, category_id: 18, bbox: [4.2, 3, 2.5, 3], area: 9, iscrowd: 0, segmentation: { size: [H1, W1], counts: encodeRleCounts(maskToRleCounts(dogMask, H1, W1)) } },
      { id: 13, image_id: 3, category_id: 18, bbox: [0, 0, 2, 2], area: 4, iscrowd: 0, segmentation: [[0, 0, 2, 0, 2, 2, 0, 2]] },
    ],
    // Category ids out of order and with a gap, as COCO's.
    categories: [
      { id: 18, name: 'dog', supercategory: 'animal' },
      { id: 1, name: 'person', supercategory: 'person' },
    ],
  };
}

test('compressed RLE: encode/decode round trip, including runs that need several groups and negative deltas', () => {
  const counts = [0, 5, 100000, 3, 7, 1, 2 ** 31, 40, 0, 12];
  const s = encodeRleCounts(counts);
  assert.deepEqual([...decodeRleCounts(s, 'x')], counts);
  // pycocotools' string for the runs [3, 2, 1]: '3' '2' '1' → characters 48+3, 48+2, 48+1.
  assert.equal(encodeRleCounts([3, 2, 1]), '321');
  assert.throws(() => decodeRleCounts('3~', 'ann 5'), /ann 5: .*'~' at character 1/);
  assert.throws(() => decodeRleCounts('P', 'ann 5'), /ann 5: .*end in the middle/);
});

test('RLE masks are column-major and polygons fill pixel centres', () => {
  // 2×3 (h×w) mask with column 1 set: runs 2 zeros, 2 ones, 2 zeros.
  assert.deepEqual([...rleToMask([2, 2, 2], 2, 3, 'x')], [0, 1, 0, 0, 1, 0]);
  assert.deepEqual([...maskToRleCounts(new Uint8Array([0, 1, 0, 0, 1, 0]), 2, 3)], [2, 2, 2]);
  assert.throws(() => rleToMask([2, 2], 2, 3, 'ann 9'), /ann 9: RLE runs cover 4 pixels but the mask is 2×3 = 6/);
  assert.deepEqual(rasterizePolygons([[1, 1, 4, 1, 4, 3, 1, 3]], H1, W1), boxMask(W1, H1, 1, 1, 4, 3));
  // A triangle: the centre (0.5, 0.5) is inside, (2.5, 0.5) is not.
  const tri = rasterizePolygons([[0, 0, 3, 0, 0, 3]], 3, 3);
  assert.deepEqual([...tri], [1, 1, 0, 1, 0, 0, 0, 0, 0]);
});

test('a COCO fixture (crowd, RLE and polygon masks, an image without annotations) reads back exactly', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, 'instances_val.json');
    await writeFile(file, JSON.stringify(fixture(), null, 1));
    const coco = await readCocoInstances(file);
    assert.deepEqual(coco.images.map((i) => [i.id, i.fileName, i.width, i.height]), [[1, 'a.jpg', 8, 6], [2, 'b.jpg', 5, 4], [3, 'c.jpg', 4, 4]]);
    assert.deepEqual(coco.annotations.map((a) => [a.id, a.imageId, a.categoryId, a.crowd, a.bbox]), [
      [10, 1, 1, false, [1, 1, 3, 2]], [11, 1, 1, true, [5, 0, 3, 2]], [12, 1, 18, false, [4.2, 3, 2.5, 3]], [13, 3, 18, false, [0, 0, 2, 2]],
    ]);
    const ds = await openCocoDataset(file, join(dir, 'img'));
    assert.deepEqual(ds.classNames, ['person', 'dog']);
    assert.deepEqual(ds.ids, ['1', '2', '3']);
    assert.deepEqual([...ds.labels], [1, 1, -1, -1, -1, 1]);
    assert.equal(ds.imagePath(1), join(dir, 'img', 'b.jpg'));
    assert.deepEqual(ds.instanceMask(0, 0), boxMask(W1, H1, 1, 1, 4, 3));
    assert.deepEqual(ds.instanceMask(0, 1), crowdMask);
    assert.deepEqual(ds.instanceMask(0, 2), dogMask);
    const a = await ds.annotation(0);
    assert.deepEqual(a.objects.map((o) => [o.name, o.difficult, o.box]), [
      ['person', false, { x0: 1, y0: 1, x1: 4, y1: 3 }],
      ['person', true, { x0: 5, y0: 0, x1: 8, y1: 2 }],
      ['dog', false, { x0: 4, y0: 3, x1: 7, y1: 6 }],
    ]);
    assert.deepEqual((await ds.annotation(1)).objects, []);
    const seg = await ds.segmentation(0);
    const expected = new Uint8Array(W1 * H1);
    for (let p = 0; p < expected.length; p++) expected[p] = crowdMask[p] ? 255 : dogMask[p] ? 2 : 0;
    for (let y = 1; y < 3; y++) for (let x = 1; x < 4; x++) expected[y * W1 + x] = 1;
    assert.deepEqual(seg.data, expected);
    assert.deepEqual((await ds.segmentation(1)).data, new Uint8Array(20));
    // Polygon coordinates are views of one shared buffer, not one ArrayBuffer each (memory).
    const polygons = coco.annotations.flatMap((x) => (x.segmentation?.kind === 'polygons' ? x.segmentation.polygons : []));
    assert.ok(polygons.length >= 2 && polygons.every((p) => p.buffer === polygons[0]!.buffer));
    // Training reads labels only; `masks: false` keeps no geometry.
    const light = await readCocoInstances(file, { masks: false });
    assert.ok(light.annotations.every((x) => x.segmentation === null));
  });
});

test('coco: data specs: {split} picks the files, eval opens boxes and masks, classes must match', async () => {
  await withTempDir(async (dir) => {
    await mkdir(join(dir, 'annotations'));
    await writeFile(join(dir, 'annotations', 'instances_val.json'), JSON.stringify(fixture()));
    const spec = `coco:${dir}/annotations/instances_{split}.json,${dir}/{split}`;
    const train = await openDataset(spec, 'val');
    assert.deepEqual(train.classNames, ['person', 'dog']);
    assert.equal(train.imagePath(0), join(dir, 'val', 'a.jpg'));
    const val = await openVocSplit(spec, 'val', ['person', 'dog']);
    assert.ok(val instanceof CocoDataset);
    assert.notEqual(val.instanceMask(0, 0), null);
    await assert.rejects(openDataset(spec, 'val', ['dog', 'person']), /instances_val\.json: its categories \[person, dog\] differ from the model's classes \[dog, person\]/);
    await assert.rejects(openDataset(spec, 'train'), /COCO annotation file not found: .*instances_train\.json/);
    await assert.rejects(openDataset(`coco:${dir}/annotations/instances_val.json`, 'val'), /expected coco:INSTANCES\.json,IMAGES_DIR/);
  });
});

test('bad COCO files: errors name the file and the offending annotation', () => {
  const bad = (edit: (f: ReturnType<typeof fixture> & Record<string, any>) => void): string => {
    const f = fixture() as Record<string, any>;
    edit(f as never);
    return JSON.stringify(f);
  };
  const parse = (text: string): unknown => parseCocoInstances(text, 'inst.json');
  assert.throws(() => parse(bad((f: any) => { f.annotations[2].category_id = 99; })), /^DataFileError: inst\.json: annotations\[2\] \(id 12\): category_id 99 is not a category of the file \(ids: 1, 18\)/);
  assert.throws(() => parse(bad((f: any) => { f.annotations[0].image_id = 7; })), /inst\.json: annotations\[0\] \(id 10\): image_id 7 is not an image/);
  assert.throws(() => parse(bad((f: any) => { f.annotations[3].bbox = [0, 0, -1, 2]; })), /inst\.json: annotations\[3\] \(id 13\): bbox is \[0,0,-1,2\]/);
  assert.throws(() => parse(bad((f: any) => { f.annotations[1].segmentation.counts = [1, 2]; })), { name: 'DataFileError', message: /^inst\.json: annotations\[1\] \(id 11\): RLE runs cover 3 pixels but the mask is 6×8 = 48/ });
  assert.throws(() => parse(bad((f: any) => { f.annotations[2].segmentation.size = [3, 16]; f.annotations[2].segmentation.counts = '0'; })), /annotations\[2\] \(id 12\): RLE runs cover 0 pixels/);
  assert.throws(() => parse(bad((f: any) => { f.annotations[0].segmentation = [[1, 2, 3]]; })), /annotations\[0\] \(id 10\): segmentation polygon 0 is \[1,2,3\]/);
  assert.throws(() => parse(bad((f: any) => { f.annotations[0].id = 13; })), /annotations\[3\] \(id 13\): repeats annotation id 13/);
  assert.throws(() => parse(bad((f: any) => { f.categories[1].name = 'dog'; })), /categories\[1\] repeats the category name 'dog'/);
  assert.throws(() => parse(bad((f: any) => { f.images[0].width = 0; })), { name: 'DataFileError', message: /^inst\.json: images\[0\]: width is 0, expected an integer >= 1/ });
  assert.throws(() => parse(bad((f: any) => { f.images[0].file_name = '../../etc/passwd'; })), /leaves the images folder/);
  assert.throws(() => parse(bad((f: any) => { f.images[0].width = 1e5; f.images[0].height = 1e5; })), /exceeds 268435456 pixels/);
  assert.throws(() => parse(bad((f: any) => { delete f.categories; })), /inst\.json: no "categories"/);
  assert.throws(() => parse(bad((f: any) => { f.images = { a: 1 }; })), /inst\.json: "images" is an object, expected an array/);
  assert.throws(() => parse('[1, 2]'), /inst\.json: expected a JSON object/);
  assert.throws(() => parse(''), { name: 'DataFileError', message: /^inst\.json: empty file/ });
  assert.throws(() => parse(JSON.stringify(fixture()).slice(0, 200)), /inst\.json: not valid JSON/);
  assert.throws(() => parse(JSON.stringify(fixture()) + 'x'), /inst\.json: not valid JSON/);
  // A file without annotations (COCO's test image lists) is valid: every image negative.
  const noAnn = bad((f: any) => { delete f.annotations; });
  const ds = CocoDataset.fromInstances(parseCocoInstances(noAnn, 'inst.json'), 'img');
  assert.deepEqual([...ds.labels], [-1, -1, -1, -1, -1, -1]);
});

test('the same result from one buffer and from many small chunks (the streaming path)', async () => {
  await withTempDir(async (dir) => {
    const text = JSON.stringify(fixture());
    const file = join(dir, 'x.json');
    await writeFile(file, text);
    const bytes = new TextEncoder().encode(text);
    const whole = parseCocoInstances(bytes, file);
    assert.deepEqual(await readCocoInstances(file), whole);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    assert.deepEqual(parseCocoInstances(chunks, file), whole);
  });
});
