import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { checkUploadImage, sniffImageFormat } from '../../src/studio/uploadChecks.js';
import { HttpError } from '../../src/studio/httpError.js';
import { pngHeaderOnly } from './pngHeader.js';


const status = async (bytes: Buffer, maxPixels = 40e6): Promise<[number, string]> => {
  try {
    await checkUploadImage(bytes, maxPixels);
    return [200, ''];
  } catch (e) {
    assert.ok(e instanceof HttpError, String(e));
    return [e.status, e.message];
  }
};

test('sniffing: JPEG, PNG and WebP signatures only', async () => {
  const img = sharp({ create: { width: 4, height: 3, channels: 3, background: '#c33' } });
  assert.equal(sniffImageFormat(await img.clone().jpeg().toBuffer()), 'jpeg');
  assert.equal(sniffImageFormat(await img.clone().png().toBuffer()), 'png');
  assert.equal(sniffImageFormat(await img.clone().webp().toBuffer()), 'webp');
  assert.equal(sniffImageFormat(await img.clone().gif().toBuffer()), null);
  assert.equal(sniffImageFormat(await img.clone().tiff().toBuffer()), null);
  assert.equal(sniffImageFormat(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null);
  assert.equal(sniffImageFormat(Buffer.alloc(0)), null);
  assert.equal(sniffImageFormat(Buffer.from([0xff, 0xd8])), null);
});

test('the pixel limit is checked from the header: a 400-megapixel header is refused without decoding', async () => {
  const [code, msg] = await status(pngHeaderOnly(20000, 20000));
  assert.equal(code, 413);
  assert.match(msg, /20000×20000 = 400\.0 megapixels; the limit is 40\.0 megapixels/);
  // Under the limit the same kind of file passes the header check (decoding it would then fail).
  assert.deepEqual(await status(pngHeaderOnly(100, 100)), [200, '']);
  const real = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3c3' } }).jpeg().toBuffer();
  assert.deepEqual(await checkUploadImage(real, 60_000), { format: 'jpeg', width: 300, height: 200 });
  assert.equal((await status(real, 59_999))[0], 413);
});

test('not an image: 415 saying what it is instead', async () => {
  const cases: [Buffer, RegExp][] = [
    [Buffer.alloc(0), /the body is empty/],
    [Buffer.from('hello, this is text'), /not a JPEG, PNG or WebP image: its first bytes are 68 65 6c 6c/],
    [Buffer.from('<?xml version="1.0"?><svg/>'), /it is XML\/SVG/],
    [await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).gif().toBuffer(), /it is a GIF/],
    [Buffer.from('------WebKitFormBoundary\r\nContent-Disposition: form-data'), /multipart form/],
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), /cannot read the JPEG header/],
  ];
  for (const [bytes, re] of cases) {
    const [code, msg] = await status(bytes);
    assert.equal(code, 415, msg);
    assert.match(msg, re);
  }
});
