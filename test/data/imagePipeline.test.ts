import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { flipHorizontalChw, sampleAugmentation, sampleRandomResizedCrop, sampleScaleJitterCrop } from '../../src/data/augment.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../src/data/canvas.js';
import { checkImageFile, decodeImage, loadImage, readImageSize, rgbToNormalizedChw } from '../../src/data/imagePipeline.js';
import { decodeIndexedPng } from '../../src/data/indexedPng.js';
import { crc32 } from '../../src/io/zipArchive.js';
import { Rng } from '../../src/data/random.js';
import { withTempDir } from './fixtures.js';

/** A 60×40 image: left half red, right half blue, with a green top-left 10×10 square. */
async function writeTestImage(path: string, format: 'png' | 'jpeg' = 'png'): Promise<void> {
  const w = 60;
  const h = 40;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = 3 * (y * w + x);
      if (x < 10 && y < 10) rgb[p + 1] = 255;
      else if (x < 30) rgb[p] = 255;
      else rgb[p + 2] = 255;
    }
  }
  const img = sharp(rgb, { raw: { width: w, height: h, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(path);
}

const norm = (v: number, c: number): number => (v / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;

test('loadImage: stretch, fit and cover resizing, normalization, explicit crop and flip', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'a.png');
    await writeTestImage(path);
    const sq = await loadImage(path, { size: 20, kernel: 'nearest' });
    assert.deepEqual([sq.width, sq.height, sq.originalWidth, sq.originalHeight], [20, 20, 60, 40]);
    assert.equal(sq.data.length, 3 * 20 * 20);
    const at = (img: { data: Float32Array; width: number; height: number }, c: number, x: number, y: number): number =>
      img.data[c * img.width * img.height + y * img.width + x]!;
    assert.ok(Math.abs(at(sq, 0, 7, 15) - norm(255, 0)) < 1e-5, 'red on the left');
    assert.ok(Math.abs(at(sq, 2, 15, 15) - norm(255, 2)) < 1e-5, 'blue on the right');
    const fit = await loadImage(path, { size: 30, resize: 'fit' });
    assert.deepEqual([fit.width, fit.height], [30, 20]);
    const cover = await loadImage(path, { size: 30, resize: 'cover' });
    assert.deepEqual([cover.width, cover.height], [30, 30]);
    const flipped = await loadImage(path, { size: 20, kernel: 'nearest', params: { flip: true } });
    assert.ok(Math.abs(at(flipped, 2, 2, 15) - norm(255, 2)) < 1e-5, 'blue on the left after flip');
    assert.deepEqual(flipped.data, flipHorizontalChw(sq.data, 3, 20, 20), 'sharp flop = flipHorizontalChw');
    const crop = await loadImage(path, { size: 10, kernel: 'nearest', params: { flip: false, crop: { left: 0, top: 0, width: 10, height: 10 } } });
    for (let i = 0; i < 100; i++) assert.ok(Math.abs(crop.data[100 + i]! - norm(255, 1)) < 1e-5, 'crop is the green square');
    await assert.rejects(loadImage(path, { size: 10, params: { flip: false, crop: { left: 55, top: 0, width: 10, height: 10 } } }), /outside the 60×40 image/);
    await assert.rejects(loadImage(path, { size: 10, augment: { flip: true } }), /'augment' needs an 'rng'/);
    assert.deepEqual(await readImageSize(path), { width: 60, height: 40 });
    const dec = await decodeImage(path);
    assert.deepEqual([dec.width, dec.height, dec.rgb.length], [60, 40, 60 * 40 * 3]);
  });
});

test('EXIF orientation is applied before cropping', async () => {
  await withTempDir(async (dir) => {
    // Stored 60×40 red|blue; orientation 6 displays it 40×60 with red on top.
    const rgb = new Uint8Array(60 * 40 * 3);
    for (let p = 0; p < 60 * 40; p++) rgb[3 * p + ((p % 60) < 30 ? 0 : 2)] = 255;
    const path = join(dir, 'o6.jpg');
    await sharp(rgb, { raw: { width: 60, height: 40, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toFile(path);
    assert.deepEqual(await readImageSize(path), { width: 40, height: 60 });
    const top = await loadImage(path, { size: 4, kernel: 'nearest', params: { flip: false, crop: { left: 0, top: 0, width: 40, height: 20 } } });
    for (let i = 0; i < 16; i++) assert.ok(top.data[i]! > 2, 'red plane high in the top crop');
  });
});

test('gray and RGBA images become 3 channels', async () => {
  await withTempDir(async (dir) => {
    const gray = join(dir, 'g.png');
    await sharp(Buffer.alloc(8 * 8, 128), { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(gray);
    const g = await loadImage(gray, { size: 8 });
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(g.data[c * 64]! - norm(128, c)) < 1e-5);
    const rgba = join(dir, 'r.png');
    await sharp(Buffer.alloc(8 * 8 * 4, 200), { raw: { width: 8, height: 8, channels: 4 } }).png().toFile(rgba);
    const r = await loadImage(rgba, { size: 4 });
    assert.equal(r.data.length, 3 * 16);
    assert.equal((await decodeImage(gray)).rgb.length, 8 * 8 * 3);
  });
});

test('corrupt, truncated and missing image files give errors naming the file', async () => {
  await withTempDir(async (dir) => {
    const good = join(dir, 'good.jpg');
    await writeTestImage(good, 'jpeg');
    const bytes = await readFile(good);
    const truncated = join(dir, 'truncated.jpg');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const garbage = join(dir, 'garbage.jpg');
    await writeFile(garbage, Buffer.from('this is not a JPEG at all'));
    for (const f of [truncated, garbage]) {
      await assert.rejects(loadImage(f, { size: 16 }), (e: Error) => e.message.startsWith(`${f}: cannot decode the image:`));
    }
    await assert.rejects(loadImage(join(dir, 'missing.jpg'), { size: 16 }), (e: Error) => e.message === `image file not found: ${join(dir, 'missing.jpg')}`);
    await assert.rejects(decodeImage(garbage), /garbage\.jpg: cannot decode the image/);
  });
});

test('augmentation parameters: crops stay inside, flips happen half the time, deterministic per rng', () => {
  const rng = new Rng(5);
  let flips = 0;
  for (let i = 0; i < 400; i++) {
    const p = sampleAugmentation(rng, 500, 375, { flip: true, randomResizedCrop: {} });
    if (p.flip) flips++;
    const c = p.crop!;
    assert.ok(c.left >= 0 && c.top >= 0 && c.left + c.width <= 500 && c.top + c.height <= 375 && c.width >= 1 && c.height >= 1);
    const j = sampleScaleJitterCrop(rng, 500, 375, [0.7, 1]);
    assert.ok(j.width >= 350 && j.width <= 500 && Math.abs(j.width / j.height - 500 / 375) < 0.02);
  }
  assert.ok(flips > 150 && flips < 250, `flips ${flips}`);
  assert.deepEqual(sampleRandomResizedCrop(new Rng(1), 100, 80), sampleRandomResizedCrop(new Rng(1), 100, 80));
  assert.deepEqual(sampleAugmentation(new Rng(1), 10, 10, {}), { flip: false });
  assert.throws(() => sampleScaleJitterCrop(rng, 10, 10, [0, 1]), /scaleJitter must satisfy/);
  const x = Float32Array.of(1, 2, 3, 4, 5, 6);
  assert.deepEqual([...flipHorizontalChw(x, 1, 2, 3)], [3, 2, 1, 6, 5, 4]);
  const n = rgbToNormalizedChw(Uint8Array.of(255, 0, 0), 1, 1, [0, 0, 0], [1, 1, 1]);
  assert.deepEqual([...n], [1, 0, 0]);
});

test('pixels are checked from the header before decoding: a small PNG declaring 46000×46000 is refused naming the file and the limit', async () => {
  await withTempDir(async (dir) => {
    // A valid header of a huge image followed by a little (truncated) data: 100 bytes on disk.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(46000, 0);
    ihdr.writeUInt32BE(46000, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const chunk = (type: string, data: Buffer): Buffer => {
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      out.write(type, 4, 'latin1');
      data.copy(out, 8);
      out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
      return out;
    };
    const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
    const f = join(dir, 'huge.png');
    await writeFile(f, png);
    const limit = { name: 'InputLimitError', message: new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: an image of 46000×46000 pixels is over the limit of 100,000,000 \\(imagePixels\\); .*WILDCAT_LIMITS=imagePixels=`) };
    await assert.rejects(loadImage(f, { size: 16 }), limit);
    await assert.rejects(checkImageFile(f), limit);
    assert.throws(() => decodeIndexedPng(png, f), limit);
  });
});
