import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WeightFileError, detectWeightFileFormat, parseWeightFile, rawTensorFromValues, serializeSafetensors } from '../../src/io/index.js';
import { assertMatchesExpected, expectedWeights, readFixture, thrown } from './fixtures.js';

test('formats are detected from the first bytes', () => {
  assert.equal(detectWeightFileFormat(readFixture('python_written.safetensors')), 'safetensors');
  assert.equal(detectWeightFileFormat(serializeSafetensors(new Map())), 'safetensors');
  assert.equal(detectWeightFileFormat(readFixture('conv_bn_linear.pth')), 'pytorch');
  assert.equal(detectWeightFileFormat(readFixture('legacy_format.pth')), 'pytorch-legacy');
  assert.equal(detectWeightFileFormat(new Uint8Array(Buffer.from('hello world'))), 'unknown');
  assert.equal(detectWeightFileFormat(new Uint8Array(0)), 'unknown');
});

test('parseWeightFile dispatches on the format', () => {
  const expected = expectedWeights();
  const st = parseWeightFile(readFixture('python_written.safetensors'), 'a.safetensors');
  assert.equal(st.format, 'safetensors');
  assertMatchesExpected(st.tensors, expected['python_written.safetensors']!.tensors!);
  assert.equal(st.metadata['format'], 'pt');
  const pt = parseWeightFile(readFixture('conv_bn_linear.pth'), 'b.pth');
  assert.equal(pt.format, 'pytorch');
  assertMatchesExpected(pt.tensors, expected['conv_bn_linear.pth']!.tensors!);
  const one = parseWeightFile(serializeSafetensors(new Map([['x', rawTensorFromValues('int8', [1], [3])]])));
  assert.deepEqual([...one.tensors.keys()], ['x']);
});

test('unrecognised, empty and legacy files are refused with the file name', () => {
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(Buffer.from('hello world, not weights')), /^notes\.txt: unrecognised weight file/],
    [new Uint8Array(0), /^notes\.txt: file is empty/],
    [readFixture('legacy_format.pth'), /^notes\.txt: this is the legacy/],
  ];
  for (const [bytes, pattern] of cases) {
    const e = thrown(() => parseWeightFile(bytes, 'notes.txt'));
    assert.ok(e instanceof WeightFileError);
    assert.match(e.message, pattern);
  }
});
