// Predicted masks are VOC SegmentationClass PNGs: written, then read back by the VOC reader, identical.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeIndexedPng, readVocSegmentation, vocColormap } from '../../src/data/index.js';
import { MASK_CLASSES_FILE, writeMaskClasses, writeSegmentationMask } from '../../src/segment/index.js';

test('a written mask reads back identically, with the VOC palette and indices, and classes.txt lists the classes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wildcat-masks-'));
  try {
    const W = 13;
    const H = 7;
    const labels = new Uint8Array(W * H);
    for (let p = 0; p < labels.length; p++) labels[p] = (p * 7) % 21;
    const path = writeSegmentationMask(join(dir, 'segmentation'), '000042', labels, W, H);
    assert.equal(path, join(dir, 'segmentation', '000042.png'));
    const back = await readVocSegmentation(path);
    assert.deepEqual([back.width, back.height], [W, H]);
    assert.deepEqual(back.data, labels);
    const png = decodeIndexedPng(readFileSync(path))!;
    assert.deepEqual(png.indices, labels, 'palette indices are the labels');
    assert.deepEqual(png.palette, vocColormap());
    writeMaskClasses(join(dir, 'segmentation'), ['bag', 'boot']);
    assert.equal(readFileSync(join(dir, 'segmentation', MASK_CLASSES_FILE), 'utf8'), 'bag\nboot\n');
    assert.throws(() => writeSegmentationMask(dir, 'x', labels, W, H + 1), { name: 'RangeError', message: /number of labels/ });
    assert.throws(() => writeMaskClasses(dir, ['a\nb']), { name: 'RangeError', message: /without line breaks/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
