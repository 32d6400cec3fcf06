import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  WeightFileError, checkRawTensor, parseSafetensors, rawTensorFromValues, rawTensorValues, serializeSafetensors,
  type RawStateDict, type RawTensor,
} from '../../src/io/index.js';
import { assertMatchesExpected, expectedWeights, readFixture, thrown } from './fixtures.js';

/** A safetensors file from a header object (or raw header text) and a data section. */
function makeFile(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(text.byteLength), true);
  out.set(text, 8);
  out.set(data, 8 + text.byteLength);
  return out;
}

/** Asserts that parsing fails with a WeightFileError naming the file and matching `pattern`. */
function assertInvalid(bytes: Uint8Array, pattern: RegExp): void {
  const e = thrown(() => parseSafetensors(bytes, 'bad.safetensors'));
  assert.ok(e instanceof WeightFileError, `expected WeightFileError, got ${e.name}: ${e.message}`);
  assert.ok(e.message.startsWith('bad.safetensors: invalid safetensors file: '), e.message);
  assert.match(e.message, pattern);
}

function sampleDict(): RawStateDict {
  const d: RawStateDict = new Map();
  d.set('conv.weight', rawTensorFromValues('float32', [2, 1, 2], [1, -2, 3.5, 0]));
  d.set('10', rawTensorFromValues('int64', [], [10n])); // integer-like names are hoisted in JS objects
  d.set('2', rawTensorFromValues('bool', [3], [1, 0, 1]));
  d.set('f64', rawTensorFromValues('float64', [2], [Math.PI, -1e-300]));
  d.set('f16', rawTensorFromValues('float16', [2], [0.5, -3]));
  d.set('bf16', rawTensorFromValues('bfloat16', [1], [2]));
  d.set('i32', rawTensorFromValues('int32', [1, 1], [-7]));
  d.set('i16', rawTensorFromValues('int16', [1], [-300]));
  d.set('i8', rawTensorFromValues('int8', [1], [-8]));
  d.set('u8', rawTensorFromValues('uint8', [2], [0, 255]));
  d.set('empty', rawTensorFromValues('float32', [0, 4], []));
  d.set('__proto__', rawTensorFromValues('uint8', [1], [1]));
  d.set('ünïcødé/näme', rawTensorFromValues('float32', [1], [9]));
  return d;
}

function assertSameDict(actual: RawStateDict, expected: RawStateDict): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [name, t] of expected) {
    const a = actual.get(name)!;
    checkRawTensor(a, name);
    assert.equal(a.dtype, t.dtype, name);
    assert.deepEqual(a.shape, t.shape, name);
    assert.deepEqual(Buffer.from(a.data), Buffer.from(t.data), name);
  }
}

test('serialize → parse round trip keeps order, dtypes, shapes, bytes and metadata', () => {
  const dict = sampleDict();
  const metadata = { format: 'pt', note: 'ünïcødé', __proto__: 'plain key' } as Record<string, string>;
  Object.defineProperty(metadata, '__proto__', { value: 'plain key', enumerable: true });
  const bytes = serializeSafetensors(dict, metadata);
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(headerLen % 8, 0, 'header padded to 8 bytes');
  const { tensors, metadata: meta } = parseSafetensors(bytes, 'roundtrip.safetensors');
  assertSameDict(tensors, dict);
  assert.deepEqual(Object.entries(meta), [['format', 'pt'], ['note', 'ünïcødé'], ['__proto__', 'plain key']]);
  assert.equal(Object.getPrototypeOf(meta), Object.prototype);
});

test('round trip of an empty dict and of a dict without metadata', () => {
  const empty = parseSafetensors(serializeSafetensors(new Map()));
  assert.equal(empty.tensors.size, 0);
  assert.deepEqual(empty.metadata, {});
  const one: RawStateDict = new Map([['x', rawTensorFromValues('float32', [], [1])]]);
  const parsed = parseSafetensors(serializeSafetensors(one, {}));
  assertSameDict(parsed.tensors, one);
  assert.deepEqual(parsed.metadata, {});
});

test('serialize refuses malformed tensors and reserved names', () => {
  const bad = new Map<string, RawTensor>([['w', { dtype: 'float32', shape: [3], data: new Uint8Array(8) }]]);
  assert.throws(() => serializeSafetensors(bad), /tensor 'w': float32 shape \[3\] needs 12 bytes but data has 8/);
  const reserved = new Map([['__metadata__', rawTensorFromValues('uint8', [1], [1])]]);
  assert.throws(() => serializeSafetensors(reserved), /reserved/);
  assert.throws(() => serializeSafetensors(new Map(), { n: 5 as unknown as string }), /metadata value of 'n' must be a string/);
});

test('parses the file written by the Python fixture script', () => {
  const expected = expectedWeights()['python_written.safetensors']!;
  const { tensors, metadata } = parseSafetensors(readFixture('python_written.safetensors'), 'python_written.safetensors');
  assertMatchesExpected(tensors, expected.tensors!);
  assert.deepEqual(metadata, expected.metadata);
});

test('re-serialising the Python-written file reproduces it byte for byte', () => {
  const bytes = readFixture('python_written.safetensors');
  const { tensors, metadata } = parseSafetensors(bytes);
  assert.deepEqual(Buffer.from(serializeSafetensors(tensors, metadata)), Buffer.from(bytes));
});

test('parsed tensors view the input bytes without copying', () => {
  const bytes = serializeSafetensors(new Map([['x', rawTensorFromValues('float32', [2], [1, 2])]]));
  const t = parseSafetensors(bytes).tensors.get('x')!;
  assert.equal(t.data.buffer, bytes.buffer);
  assert.deepEqual(Array.from(rawTensorValues(t) as Float32Array), [1, 2]);
});

test('header length problems', () => {
  assertInvalid(new Uint8Array(0), /0 bytes, fewer than the 8-byte header length prefix/);
  assertInvalid(new Uint8Array(5), /5 bytes, fewer than the 8-byte/);
  assertInvalid(makeFile({}, undefined, 1000n), /header length 1000 exceeds the 2 bytes after the length prefix/);
  assertInvalid(makeFile({}, undefined, 2n ** 63n), /header length 9223372036854775808 exceeds/);
  assertInvalid(makeFile('', undefined, 0n), /header length 0 is too small/);
});

test('header content problems', () => {
  assertInvalid(makeFile('[1, 2]'), /does not start with '\{'/);
  assertInvalid(makeFile('{"a": '), /not valid JSON/);
  assertInvalid(makeFile('{"a": 1} x'), /not valid JSON/);
  const badUtf8 = makeFile('{"?":1}');
  badUtf8[10] = 0xff;
  assertInvalid(badUtf8, /not valid UTF-8/);
  assertInvalid(makeFile({ __metadata__: { n: 1 } }), /__metadata__ value of 'n' must be a string, got 1/);
  assertInvalid(makeFile({ __metadata__: ['x'] }), /__metadata__ must be an object/);
  assertInvalid(makeFile({ w: 5 }), /tensor 'w': entry must be an object/);
  assertInvalid(makeFile({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor 'w': missing or non-string dtype/);
});

test('dtype problems', () => {
  assertInvalid(makeFile({ w: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor 'w': unknown dtype 'F33' \(supported: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL\)/);
  assertInvalid(makeFile({ w: { dtype: 'U16', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor 'w': dtype U16 is not supported/);
});

test('shape and offset problems', () => {
  const f32 = (shape: unknown, offsets: unknown, n: number): Uint8Array => makeFile({ w: { dtype: 'F32', shape, data_offsets: offsets } }, new Uint8Array(n));
  assertInvalid(f32([-1], [0, 4], 4), /tensor 'w': shape must be an array of non-negative integers, got \[-1\]/);
  assertInvalid(f32([1.5], [0, 4], 4), /shape must be an array/);
  assertInvalid(f32('3', [0, 4], 4), /shape must be an array/);
  assertInvalid(f32([1], [0], 4), /tensor 'w': data_offsets must be \[begin, end\]/);
  assertInvalid(f32([1], [0, '4'], 4), /data_offsets must be/);
  assertInvalid(f32([1], undefined, 4), /data_offsets must be/);
  assertInvalid(f32([1], [4, 0], 4), /data_offsets \[4, 0\] end before they begin/);
  assertInvalid(f32([1], [0, 8], 4), /data_offsets \[0, 8\] run past the end of the 4-byte data section/);
  assertInvalid(f32([2], [0, 4], 4), /F32 shape \[2\] needs 8 bytes but data_offsets \[0, 4\] span 4/);
  assertInvalid(f32([1], [0, 4], 8), /data section has 8 bytes but the tensors cover 4 \(4 trailing bytes/);
});

test('overlapping, gapped and uncovered data sections', () => {
  const two = (a: number[], b: number[], n: number): Uint8Array =>
    makeFile({ a: { dtype: 'F32', shape: [(a[1]! - a[0]!) / 4], data_offsets: a }, b: { dtype: 'F32', shape: [(b[1]! - b[0]!) / 4], data_offsets: b } }, new Uint8Array(n));
  assertInvalid(two([0, 8], [4, 12], 12), /tensor 'b' data_offsets \[4, 12\] overlap tensor 'a' \[0, 8\]/);
  assertInvalid(two([0, 8], [0, 8], 8), /overlap/);
  assertInvalid(two([0, 4], [8, 12], 12), /4 bytes at data offset 4 belong to no tensor \(gap before tensor 'b'/);
  assertInvalid(two([4, 8], [8, 12], 12), /4 bytes at data offset 0 belong to no tensor/);
  // Listed out of order but tiling the section: fine, and returned in data order.
  const ok = parseSafetensors(two([4, 8], [0, 4], 8));
  assert.deepEqual([...ok.tensors.keys()], ['b', 'a']);
});

test('every truncation of the Python-written file is refused with a named error', () => {
  const bytes = readFixture('python_written.safetensors');
  for (let n = 0; n < bytes.byteLength; n++) {
    const e = thrown(() => parseSafetensors(bytes.subarray(0, n), 'cut.safetensors'));
    assert.ok(e instanceof WeightFileError && e.message.startsWith('cut.safetensors: invalid safetensors file: '), `length ${n}: ${e.message}`);
  }
});

test('flipped header bytes are caught', () => {
  const bytes = readFixture('python_written.safetensors');
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))));
  const flip = (at: number, value: number): Uint8Array => {
    const b = bytes.slice();
    b[at] = value;
    return b;
  };
  assertInvalid(flip(0, bytes[0]! ^ 0x40), /header is not valid (UTF-8|JSON)/); // header now takes in data bytes or stops short
  assertInvalid(flip(3, 1), /header length \d+ exceeds/);
  assertInvalid(flip(5, 1), /header length \d+ exceeds/);
  assertInvalid(flip(8, 0x5b), /does not start with '\{'/);
  assertInvalid(flip(8 + text.indexOf('"F16"') + 1, 'X'.charCodeAt(0)), /unknown dtype 'X16'/);
  assertInvalid(flip(8 + text.indexOf('"data_offsets":[0,') + '"data_offsets":['.length, '9'.charCodeAt(0)), /data_offsets \[9, \d+\]/);
  assertInvalid(flip(8 + text.indexOf('"shape":[2,1,3,3]') + '"shape":['.length, '3'.charCodeAt(0)), /shape \[3, 1, 3, 3\] needs/);
  assertInvalid(flip(8 + text.indexOf('}}') + 1, 0x20), /not valid JSON/);
});

test('random corruption of the header never escapes as anything but a WeightFileError', () => {
  const bytes = readFixture('python_written.safetensors');
  const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let trial = 0; trial < 2000; trial++) {
    const b = bytes.slice();
    b[Math.floor(rand() * headerEnd)] = Math.floor(rand() * 256);
    try {
      const { tensors } = parseSafetensors(b, 'fuzz.safetensors');
      for (const [name, t] of tensors) checkRawTensor(t, name); // accepted files are well-formed
    } catch (e) {
      assert.ok(e instanceof WeightFileError, `trial ${trial}: ${(e as Error).stack}`);
    }
  }
});
