// Memory formats of tensors: contiguous({ memoryFormat }), isContiguous(format), strides().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, randn } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

test('channels-last lays the same values out in NHWC order; shape and indexing do not change', leakFreeTidy(() => {
  const x = arange(2 * 3 * 4 * 5).reshape([2, 3, 4, 5]);
  assert.deepEqual(x.strides(), [60, 20, 5, 1]);
  assert.equal(x.isContiguous(), true);
  assert.equal(x.isContiguous('channelsLast'), false);
  const y = x.contiguous({ memoryFormat: 'channelsLast' });
  assert.deepEqual(y.shape, [2, 3, 4, 5]);
  assert.deepEqual(y.strides(), [60, 1, 15, 3]);
  assert.equal(y.isContiguous('channelsLast'), true);
  assert.equal(y.isContiguous('contiguous'), false);
  assert.deepEqual(y.toNumbers(), x.toNumbers()); // read out in logical (NCHW) order
  assert.equal(y.select(1, 2).select(1, 3).select(1, 4).toNumbers()[0], x.select(1, 2).select(1, 3).select(1, 4).toNumbers()[0]);
  const back = y.contiguous();
  assert.deepEqual(back.strides(), [60, 20, 5, 1]);
  assert.deepEqual(back.toNumbers(), x.toNumbers());
}));

test('a tensor already in the format is not copied; one channel is both layouts', leakFreeTidy(() => {
  const x = randn([2, 3, 4, 4]).contiguous({ memoryFormat: 'channelsLast' });
  const same = x.contiguous({ memoryFormat: 'channelsLast' });
  same.mul_(0);
  assert.equal(x.abs().sum().item(), 0); // the same storage
  const mono = randn([2, 1, 4, 4]);
  assert.equal(mono.isContiguous('channelsLast'), true);
  assert.equal(mono.isContiguous(), true);
}));

test('bad memory formats are refused with a message that names the option and the choices', leakFreeTidy(() => {
  const x = randn([2, 3]);
  const img = randn([1, 3, 2, 2]);
  assert.throws(() => x.contiguous({ memoryFormat: 'channelsLast' }), /4-D tensor \[N, C, H, W\].*memoryFormat 'channelsLast'.*shape \[2, 3\]/);
  assert.throws(() => img.contiguous({ memoryFormat: 'nhwc' as never }), /'contiguous', 'channelsLast'.*memoryFormat.*'nhwc'/);
  assert.throws(() => img.isContiguous('cl' as never), /'contiguous', 'channelsLast'/);
  assert.throws(() => img.contiguous('channelsLast' as never), /object such as \{ memoryFormat: 'channelsLast' \} for contiguous\(\) options/);
}));
