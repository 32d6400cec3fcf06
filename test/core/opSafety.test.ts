// The generic op() door never crashes the process: kernels that libtorch 1.13 runs on inputs it
// does not check (found by bench/fuzz/opAudit.ts) are checked or refused, each with an error
// naming the operator. Each of these calls killed the process (SIGSEGV/SIGFPE/SIGABRT) before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBytes, op, rand, tensor, zeros } from '../../src/core/index.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

test('scalar extraction from an empty tensor is an error, not a SIGSEGV', leakFreeTidy(() => {
  assert.throws(() => op('aten::_local_scalar_dense')(zeros([0])),
    (e: Error) => e instanceof RangeError && /^aten::_local_scalar_dense: Expected a non-empty tensor for argument 'self' .* shape \[0\]/.test(e.message));
  assert.throws(() => op('aten::_local_scalar_dense')(zeros([0, 3])), RangeError);
  assert.equal(op('aten::_local_scalar_dense')(tensor([2.5])), 2.5);
}));

test('kernels that divide by the element count refuse empty tensors', leakFreeTidy(() => {
  assert.throws(() => op('aten::_weight_norm')(zeros([0]), zeros([0]), 0), /aten::_weight_norm: Expected a non-empty tensor/);
  assert.throws(() => op('aten::native_batch_norm')(zeros([0, 3]), zeros([3]), zeros([3]), zeros([3]), zeros([3]), true, 0.1, 1e-5),
    /aten::native_batch_norm: Expected a non-empty tensor for argument 'input'/);
  // The public operator handles the empty batch itself.
  const y = op('aten::batch_norm')(zeros([0, 3]), null, null, zeros([3]), rand([3]).add(1), false, 0.1, 1e-5, false);
  assert.deepEqual(y.shape, [0, 3]);
}));

test('internal kernels without checkable preconditions are refused, naming the public one', leakFreeTidy(() => {
  assert.throws(() => op('aten::native_channel_shuffle')(rand([2, 3]), 5),
    (e: Error) => /^aten::native_channel_shuffle: .*internal libtorch kernel.*use aten::channel_shuffle instead/.test(e.message));
  assert.throws(() => op('aten::_remove_batch_dim')(rand([2, 3]), 5, 5, 5), /internal libtorch kernel/);
}));

test('only aten operators are exposed', leakFreeTidy(() => {
  assert.throws(() => op('quantized::embedding_bag_byte_prepack')(zeros([0])), /Expected an aten:: operator for op\(\) but received 'quantized::embedding_bag_byte_prepack'/);
  assert.throws(() => op('_test::cat')([]), /only ATen operators are exposed/);
}));

test('a view that reaches outside its storage is refused before it can be read', leakFreeTidy(() => {
  assert.throws(() => op('aten::_reshape_alias')(rand([4]), [1000], [1]),
    (e: Error) => e instanceof RangeError && /^aten::_reshape_alias: returned a view of shape \[1000\] that reaches outside its 16-byte storage/.test(e.message));
  const ok = op('aten::_reshape_alias')(rand([4]), [2, 2], [2, 1]);
  assert.deepEqual(ok.shape, [2, 2]);
}));

test('enum codes out of range are RangeErrors naming the argument, not "please report this error"', leakFreeTidy(() => {
  assert.throws(() => op('aten::zeros')([2], 99), (e: Error) => e instanceof RangeError &&
    /^aten::zeros: Expected a ScalarType code .* for argument 'dtype' of aten::zeros but received 99$/.test(e.message));
  assert.throws(() => op('aten::zeros')([2], -1), RangeError);
  assert.throws(() => op('aten::zeros')([2], null, 42), /Expected a Layout code .* for argument 'layout'/);
  assert.throws(() => op('aten::empty', 'memory_format')([2], null, null, null, null, 99), /Expected a MemoryFormat code/);
  assert.equal(op('aten::zeros')([2], 7).dtype, 'float64');
}));

test('float16 and bfloat16 values come out converted, not as raw bits', leakFreeTidy(() => {
  const h = tensor([1.5, -2, 65504, 2 ** -24]).to('float16');
  assert.deepEqual(h.toNumbers(), [1.5, -2, 65504, 2 ** -24]);
  assert.equal(tensor([1.5]).to('float16').item(), 1.5);
  assert.deepEqual(tensor([1.5, 3.140625]).to('bfloat16').toNumbers(), [1.5, 3.140625]);
  assert.ok(tensor([1]).to('bfloat16').toArray() instanceof Float32Array);
}));

test('fromBytes refuses bool bytes other than 0 and 1', leakFreeTidy(() => {
  assert.throws(() => fromBytes(new Uint8Array([0, 1, 2]), [3], 'bool'),
    { name: 'RangeError', message: 'Expected a byte 0 or 1 for element 2 of a bool tensor in fromBytes() but received 2' });
  assert.deepEqual(fromBytes(new Uint8Array([0, 1, 1]), [3], 'bool').toNumbers(), [0, 1, 1]);
}));
