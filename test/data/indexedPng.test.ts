import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeIndexedPng, encodeIndexedPng } from '../../src/data/indexedPng.js';
import { vocColormap } from '../../src/data/vocPalette.js';

function sampleIndices(w: number, h: number): Uint8Array {
  const a = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = y < 3 ? 0 : (x * 7 + y) % 5 === 0 ? 255 : (x + y) % 21;
  return a;
}

test('indexed PNG round trip through our decoder and through sharp', async () => {
  const w = 37;
  const h = 23;
  const indices = sampleIndices(w, h);
  const palette = vocColormap();
  const png = encodeIndexedPng({ width: w, height: h, indices, palette });
  const back = decodeIndexedPng(png, 'mem.png')!;
  assert.equal(back.width, w);
  assert.equal(back.height, h);
  assert.deepEqual(back.indices, indices);
  assert.deepEqual(back.palette, palette);

  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, w);
  assert.ok(meta.isPalette, 'sharp sees a palette image');
  const { data, info } = await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  for (let p = 0; p < w * h; p++) {
    const k = indices[p]!;
    assert.deepEqual([data[3 * p], data[3 * p + 1], data[3 * p + 2]], [palette[3 * k], palette[3 * k + 1], palette[3 * k + 2]], `pixel ${p}`);
  }
});

test('decoder handles all filter types, low bit depths, and rejects corrupt data', () => {
  // Hand-made 4-bit palette PNG with rows using Sub, Up, Average and Paeth filters.
  const w = 5;
  const h = 4;
  const values = [[1, 2, 3, 4, 5], [1, 1, 1, 1, 1], [15, 0, 15, 0, 15], [3, 3, 4, 4, 5]];
  // Encode rows unfiltered in packed form, then apply the filters by hand.
  const stride = 3;
  const packed = values.map((r) => {
    const b = new Uint8Array(stride);
    r.forEach((v, x) => { b[x >> 1]! |= v << (x & 1 ? 0 : 4); });
    return b;
  });
  const filters = [1, 2, 3, 4];
  const raw: number[] = [];
  packed.forEach((row, y) => {
    const prev = y > 0 ? packed[y - 1]! : new Uint8Array(stride);
    raw.push(filters[y]!);
    for (let x = 0; x < stride; x++) {
      const a = x > 0 ? row[x - 1]! : 0;
      const b = prev[x]!;
      const c = x > 0 ? prev[x - 1]! : 0;
      let pred = 0;
      if (filters[y] === 1) pred = a;
      else if (filters[y] === 2) pred = b;
      else if (filters[y] === 3) pred = (a + b) >> 1;
      else {
        const p = a + b - c;
        const pa = Math.abs(p - a); const pb = Math.abs(p - b); const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw.push((row[x]! - pred) & 255);
    }
  });
  const png8 = encodeIndexedPng({ width: 1, height: 1, indices: Uint8Array.of(0), palette: vocColormap().subarray(0, 48) });
  // Rebuild that PNG with our 4-bit IHDR and IDAT, reusing its chunk writer through a tiny helper.
  const chunks = splitChunks(png8);
  const ihdr = Buffer.from(chunks.IHDR!);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 4;
  const png4 = assemble([['IHDR', ihdr], ['PLTE', chunks.PLTE!], ['IDAT', deflateSync(Uint8Array.from(raw))], ['IEND', Buffer.alloc(0)]]);
  const d = decodeIndexedPng(png4, 'four-bit.png')!;
  assert.deepEqual([...d.indices], values.flat());

  const corrupt = Buffer.from(png8);
  corrupt[corrupt.length - 20]! ^= 0xff;
  assert.throws(() => decodeIndexedPng(corrupt, 'bad.png'), /bad\.png: corrupt PNG|bad\.png/);
  assert.throws(() => decodeIndexedPng(Buffer.from('hello world'), 'txt.png'), /txt\.png: not a PNG file/);
  assert.throws(() => decodeIndexedPng(png8.subarray(0, 40), 'cut.png'), /cut\.png: truncated PNG/);
  assert.throws(() => encodeIndexedPng({ width: 2, height: 1, indices: Uint8Array.of(0, 3), palette: Uint8Array.of(0, 0, 0) }), /index 3 at pixel 1 has no palette entry/);
});

test('decoder returns null for RGB PNGs (callers fall back to sharp)', async () => {
  const rgb = await sharp(Buffer.alloc(4 * 4 * 3, 100), { raw: { width: 4, height: 4, channels: 3 } }).png().toBuffer();
  assert.equal(decodeIndexedPng(rgb, 'rgb.png'), null);
});

function splitChunks(png: Buffer): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  let pos = 8;
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    out[png.toString('latin1', pos + 4, pos + 8)] = png.subarray(pos + 8, pos + 8 + len);
    pos += 12 + len;
  }
  return out;
}

function assemble(chunks: Array<[string, Buffer]>): Buffer {
  const table = new Uint32Array(256).map((_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer): number => {
    let c = 0xffffffff;
    for (const v of b) c = table[(c ^ v) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const parts = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])];
  for (const [type, data] of chunks) {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    parts.push(len, body, c);
  }
  return Buffer.concat(parts);
}
