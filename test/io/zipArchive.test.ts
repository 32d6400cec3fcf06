import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WeightFileError, ZipArchive, crc32, looksLikeZip } from '../../src/io/index.js';
import { expectedWeights, readFixture, thrown } from './fixtures.js';
import { writeZip } from './zipWriter.js';

function assertZipError(fn: () => unknown, pattern: RegExp, source = 'x.zip'): void {
  const e = thrown(fn);
  assert.ok(e instanceof WeightFileError, `expected WeightFileError, got ${e.name}: ${e.message}`);
  assert.ok(e.message.startsWith(`${source}: `), e.message);
  assert.match(e.message, pattern);
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('crc32 matches the standard check value', () => {
  assert.equal(crc32(enc('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('reads stored, deflated and ZIP64-extra entries of a zip made by Python', () => {
  const expected = expectedWeights()['mixed_methods.zip']!.entries!;
  const zip = ZipArchive.open(readFixture('mixed_methods.zip'), 'mixed_methods.zip');
  assert.deepEqual(zip.names(), Object.keys(expected));
  assert.equal(zip.entries.get('dir/deflated.txt')!.method, 8);
  assert.equal(zip.entries.get('dir/stored.txt')!.method, 0);
  for (const [name, hex] of Object.entries(expected)) assert.equal(Buffer.from(zip.read(name)).toString('hex'), hex, name);
});

test('reads a PyTorch checkpoint archive (ZIP64 end records, data descriptors, aligned records)', () => {
  const bytes = readFixture('conv_bn_linear.pth');
  const zip = ZipArchive.open(bytes, 'conv_bn_linear.pth');
  assert.ok(zip.has('conv_bn_linear/data.pkl'));
  assert.ok(zip.has('conv_bn_linear/version'));
  assert.equal(new TextDecoder().decode(zip.read('conv_bn_linear/version')).trim(), '3');
  const storage = zip.read('conv_bn_linear/data/0');
  assert.equal(storage.buffer, bytes.buffer, 'stored entries are views, not copies');
  assert.equal(storage.byteLength, 4 * 3 * 3 * 3 * 4);
});

test('archives from the test writer: classic, ZIP64 record, saturated ZIP64 fields, comment', () => {
  const entries = [
    { name: 'a.txt', data: enc('hello') },
    { name: 'b/deflated.bin', data: new Uint8Array(5000).map((_, i) => i % 7), method: 8 as const },
    { name: 'empty', data: new Uint8Array(0) },
  ];
  for (const zip64 of ['none', 'record', 'saturated'] as const) {
    const zip = ZipArchive.open(writeZip(entries, { zip64, comment: 'a comment PK\u0005\u0006' }), zip64);
    assert.deepEqual(zip.names(), ['a.txt', 'b/deflated.bin', 'empty'], zip64);
    for (const e of entries) assert.deepEqual(Buffer.from(zip.read(e.name)), Buffer.from(e.data), `${zip64} ${e.name}`);
  }
  assert.equal(ZipArchive.open(writeZip([])).names().length, 0);
});

test('foreign, empty and truncated files are refused with named errors', () => {
  assertZipError(() => ZipArchive.open(new Uint8Array(0), 'x.zip'), /file is empty, expected a ZIP archive/);
  assertZipError(() => ZipArchive.open(enc('just some text, definitely not a zip archive'), 'x.zip'), /not a ZIP archive \(no end-of-central-directory record\)/);
  const bytes = readFixture('conv_bn_linear.pth');
  assertZipError(() => ZipArchive.open(bytes.subarray(0, bytes.byteLength - 30), 'x.zip'), /ZIP archive is truncated: its end-of-central-directory record is missing/);
  assert.ok(looksLikeZip(bytes));
  assert.ok(!looksLikeZip(enc('PK')));
});

test('every truncation of a checkpoint archive is refused', () => {
  const bytes = readFixture('conv_bn_linear.pth');
  for (let n = 0; n < bytes.byteLength; n++) {
    const e = thrown(() => {
      const zip = ZipArchive.open(bytes.subarray(0, n), 'x.zip');
      for (const name of zip.names()) zip.read(name);
    });
    assert.ok(e instanceof WeightFileError && e.message.startsWith('x.zip: '), `length ${n}: ${e.message}`);
  }
});

test('corrupt records: CRC mismatch, bad local header, bad central directory, unsupported features', () => {
  const good = writeZip([{ name: 'a.txt', data: enc('hello world') }, { name: 'z.bin', data: enc('deflate me '.repeat(20)), method: 8 }]);
  const flipped = good.slice();
  flipped[30 + 'a.txt'.length + 2]! ^= 0xff; // a byte of a.txt's data
  assertZipError(() => ZipArchive.open(flipped, 'x.zip').read('a.txt'), /ZIP entry 'a\.txt': CRC-32 mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the file is corrupt/);
  assert.equal(ZipArchive.open(flipped).read('a.txt', { verifyCrc: false })[2], 'l'.charCodeAt(0) ^ 0xff, 'verifyCrc: false returns the damaged bytes');

  const zip = ZipArchive.open(good);
  const zOffset = zip.entries.get('z.bin')!.localHeaderOffset;
  const badDeflate = good.slice();
  badDeflate.fill(0xff, zOffset + 30 + 5, zOffset + 30 + 5 + 10);
  assertZipError(() => ZipArchive.open(badDeflate, 'x.zip').read('z.bin'), /ZIP entry 'z\.bin': (deflate data is corrupt|expected \d+ bytes|CRC-32 mismatch)/);

  const badLocal = good.slice();
  badLocal[0] = 0;
  assertZipError(() => ZipArchive.open(badLocal, 'x.zip').read('a.txt'), /ZIP entry 'a\.txt': no local header at offset 0/);

  const cdOffset = new DataView(good.buffer).getUint32(good.byteLength - 6, true);
  const badCentral = good.slice();
  badCentral[cdOffset] = 0;
  assertZipError(() => ZipArchive.open(badCentral, 'x.zip'), /ZIP central directory entry 0 of 2 is corrupt/);

  const encrypted = good.slice();
  new DataView(encrypted.buffer).setUint16(cdOffset + 8, 0x0801, true);
  assertZipError(() => ZipArchive.open(encrypted, 'x.zip'), /ZIP entry 'a\.txt' is encrypted/);

  const bzip2 = good.slice();
  new DataView(bzip2.buffer).setUint16(cdOffset + 10, 12, true);
  assertZipError(() => ZipArchive.open(bzip2, 'x.zip').read('a.txt'), /uses compression method 12; only 0 \(stored\) and 8 \(deflate\)/);

  assertZipError(() => ZipArchive.open(good, 'x.zip').read('missing.txt'), /ZIP archive has no entry 'missing\.txt'/);

  const saturatedNoZip64 = good.slice();
  new DataView(saturatedNoZip64.buffer).setUint32(saturatedNoZip64.byteLength - 6, 0xffffffff, true);
  assertZipError(() => ZipArchive.open(saturatedNoZip64, 'x.zip'), /needs a ZIP64 end-of-central-directory record but has none/);
});

test('a damaged ZIP64 locator is reported', () => {
  const bytes = readFixture('conv_bn_linear.pth');
  const damaged = bytes.slice();
  const locator = damaged.byteLength - 22 - 20;
  assert.equal(new DataView(damaged.buffer).getUint32(locator, true), 0x07064b50);
  new DataView(damaged.buffer).setBigUint64(locator + 8, 5n, true);
  assertZipError(() => ZipArchive.open(damaged, 'x.zip'), /ZIP64 end-of-central-directory record not found at offset 5/);
});
