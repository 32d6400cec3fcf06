// The error vocabulary (src/core/errors.ts): one message form, TypeError for a wrong type,
// RangeError for a wrong value of the right type, DataFileError for a file's content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DataFileError, describeValue, expectBoolean, expectInteger, expectNumber, expectOneOf, expectString,
  invalidType, outOfRange, tensor,
} from '../../src/core/index.js';
import { WeightFileError } from '../../src/io/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

const throwsExactly = (fn: () => unknown, name: 'TypeError' | 'RangeError', message: string): void => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.constructor.name, name, `${e.constructor.name}: ${e.message}`);
    assert.equal(e.message, message);
    return true;
  });
};

test('describeValue: short and unambiguous for every kind of value', leakFreeTidy(() => {
  assert.equal(describeValue(-1), '-1');
  assert.equal(describeValue(-0), '-0');
  assert.equal(describeValue(NaN), 'NaN');
  assert.equal(describeValue(3n), '3n');
  assert.equal(describeValue('0.5'), "'0.5'");
  assert.equal(describeValue('x'.repeat(100)), `'${'x'.repeat(57)}...' (a string of 100 characters)`);
  assert.equal(describeValue(false), 'false');
  assert.equal(describeValue(undefined), 'undefined');
  assert.equal(describeValue(null), 'null');
  assert.equal(describeValue([1, 2]), 'an array of 2 elements [1, 2]');
  assert.equal(describeValue([{}]), 'an array of 1 element');
  assert.equal(describeValue({ a: 1 }), 'an object');
  assert.equal(describeValue(new Map()), 'a Map');
  assert.equal(describeValue(function named() {}), 'a function (named)');
  assert.equal(describeValue(tensor([[1, 2, 3]])), 'a float32 tensor of shape [1, 3]');
  const gone = tensor([1]);
  gone.dispose();
  assert.equal(describeValue(gone), 'a disposed tensor');
}));

test('invalidType and outOfRange build the one message form, with an optional hint', () => {
  const t = invalidType('argument x of f()', 'a tensor', 3, 'wrap numbers with tensor()');
  assert.ok(t instanceof TypeError);
  assert.equal(t.message, 'Expected a tensor for argument x of f() but received 3; wrap numbers with tensor()');
  const r = outOfRange('option k of f()', 'a number >= 0', -2);
  assert.ok(r instanceof RangeError);
  assert.equal(r.message, 'Expected a number >= 0 for option k of f() but received -2');
});

test('expectNumber / expectInteger: TypeError for a non-number, RangeError for a number not allowed', () => {
  assert.equal(expectNumber('x', 0.5), 0.5);
  assert.equal(expectNumber('x', -Infinity, { infinite: true }), -Infinity);
  assert.equal(expectInteger('n', 3, { min: 1, max: 3 }), 3);
  throwsExactly(() => expectNumber('x', '1'), 'TypeError', "Expected a finite number for x but received '1'");
  throwsExactly(() => expectNumber('x', NaN, { infinite: true }), 'RangeError', 'Expected a number for x but received NaN');
  throwsExactly(() => expectNumber('x', Infinity), 'RangeError', 'Expected a finite number for x but received Infinity');
  throwsExactly(() => expectNumber('x', 0, { above: 0 }), 'RangeError', 'Expected a finite number > 0 for x but received 0');
  throwsExactly(() => expectNumber('x', 2, { min: 0, max: 1 }), 'RangeError', 'Expected a finite number in [0, 1] for x but received 2');
  throwsExactly(() => expectNumber('x', 0, { above: 0, max: 1 }), 'RangeError', 'Expected a finite number in (0, 1] for x but received 0');
  throwsExactly(() => expectInteger('n', 1.5), 'RangeError', 'Expected an integer for n but received 1.5');
  throwsExactly(() => expectInteger('n', 0, { min: 1 }), 'RangeError', 'Expected an integer >= 1 for n but received 0');
  throwsExactly(() => expectInteger('n', 2 ** 53), 'RangeError', 'Expected an integer for n but received 9007199254740992');
  throwsExactly(() => expectInteger('n', 5, { max: 4 }), 'RangeError', 'Expected an integer <= 4 for n but received 5');
  throwsExactly(() => expectInteger('n', 2n), 'TypeError', 'Expected an integer for n but received 2n');
});

test('expectBoolean / expectString / expectOneOf: no coercion', () => {
  assert.equal(expectBoolean('b', false), false);
  throwsExactly(() => expectBoolean('b', 'false'), 'TypeError', "Expected a boolean for b but received 'false'");
  throwsExactly(() => expectBoolean('b', 0), 'TypeError', 'Expected a boolean for b but received 0');
  assert.equal(expectString('s', ''), '');
  throwsExactly(() => expectString('s', ['a']), 'TypeError', 'Expected a string for s but received an array of 1 element');
  assert.equal(expectOneOf('r', 'sum', ['mean', 'sum']), 'sum');
  throwsExactly(() => expectOneOf('r', 'avg', ['mean', 'sum']), 'RangeError', "Expected one of 'mean', 'sum' for r but received 'avg'");
  throwsExactly(() => expectOneOf('r', 1, ['mean', 'sum']), 'TypeError', "Expected one of 'mean', 'sum' for r but received 1");
  throwsExactly(() => expectOneOf('stride', 4, [8, 16, 32]), 'RangeError', 'Expected one of 8, 16, 32 for stride but received 4');
});

test('DataFileError names the file first; WeightFileError is one', () => {
  const e = new DataFileError('VOC/Annotations/1.xml', 'line 3: <object> has no <name>', { cause: new Error('inner') });
  assert.equal(e.message, 'VOC/Annotations/1.xml: line 3: <object> has no <name>');
  assert.equal(e.name, 'DataFileError');
  assert.equal(e.file, 'VOC/Annotations/1.xml');
  assert.equal(e.problem, 'line 3: <object> has no <name>');
  assert.equal((e.cause as Error).message, 'inner');
  const w = new WeightFileError('a.pth', 'not a ZIP archive');
  assert.ok(w instanceof DataFileError);
  assert.equal(w.name, 'WeightFileError');
  assert.equal(w.file, 'a.pth');
  assert.equal(w.source, 'a.pth');
  assert.equal(w.message, 'a.pth: not a ZIP archive');
});
