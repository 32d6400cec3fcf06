// Every failure surfaces as a short JS error naming the op: never a crash, never a C++ backtrace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, grad, op, ones, setNumThreads, stack, tensor, zeros } from '../../src/core/index.js';
import { native } from '../../src/core/native.js';
import { leakFreeTidy } from '../helpers/leakFreeTidy.js';

/** Asserts fn throws an instance of `type` whose message matches `pattern`, is short and has no backtrace. */
function throwsShort(fn: () => unknown, type: ErrorConstructor, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    const msg = (e as Error).message;
    assert.match(msg, pattern);
    assert.ok(msg.length < 700, `message too long (${msg.length} chars): ${msg.slice(0, 200)}...`);
    assert.doesNotMatch(msg, /frame #|Exception raised from|\.cpp:\d+/, `message carries a C++ backtrace: ${msg}`);
    return true;
  });
}

test('shape mismatches name the op', leakFreeTidy(() => {
  throwsShort(() => tensor([1, 2, 3]).add(tensor([1, 2])), Error, /^aten::add\.Tensor: .*size of tensor a \(3\) must match the size of tensor b \(2\)/);
  throwsShort(() => tensor([[1, 2]]).matmul(tensor([[1, 2]])), Error, /^aten::matmul: .*cannot be multiplied \(1x2 and 1x2\)/);
  throwsShort(() => tensor([1, 2]).reshape([3]), Error, /^aten::reshape: shape '\[3\]' is invalid for input of size 2/);
  throwsShort(() => tensor([1, 2]).view([3]), Error, /^aten::view:/);
  throwsShort(() => tensor([1, 2]).expand([3]), Error, /^aten::expand:/);
  throwsShort(() => tensor([1, 2]).permute([0, 1]), Error, /^aten::permute:/);
  throwsShort(() => cat([tensor([[1, 2]]), tensor([[1, 2, 3]])]), Error, /^aten::cat: Sizes of tensors must match/);
  throwsShort(() => stack([tensor([1, 2]), tensor([1, 2, 3])]), Error, /^aten::stack:/);
  throwsShort(() => tensor([1, 2]).bmm(tensor([1, 2])), Error, /^aten::bmm:/);
  throwsShort(() => zeros([2]).add_(ones([2, 2])), Error, /^aten::add_\.Tensor: output with shape \[2\]/);
}));

test('index and dimension out of range are RangeErrors naming the op', leakFreeTidy(() => {
  throwsShort(() => tensor([1, 2]).select(0, 5), RangeError, /^aten::select\.int: .*index 5 out of range/);
  throwsShort(() => tensor([1, 2]).sum(3), RangeError, /^aten::sum\.dim_IntList: Dimension out of range/);
  throwsShort(() => tensor([1, 2]).transpose(0, 2), RangeError, /^aten::transpose\.int: Dimension out of range/);
  throwsShort(() => tensor([1, 2]).indexSelect(0, tensor([5], { dtype: 'int64' })), RangeError, /^aten::index_select: index out of range/);
  throwsShort(() => tensor([1, 2]).gather(0, tensor([5], { dtype: 'int64' })), Error, /^aten::gather: index 5 is out of bounds/);
  throwsShort(() => tensor([1, 2]).topk(5), Error, /^aten::topk:/);
}));

test('wrong dtypes name the op', leakFreeTidy(() => {
  throwsShort(() => tensor([[1, 2]], { dtype: 'int32' }).matmul(tensor([[1], [2]])), Error, /^aten::matmul: expected scalar type Int but found Float/);
  throwsShort(() => tensor([1, 2, 3]).gather(0, tensor([0, 1])), Error, /^aten::gather: .*Expected dtype int64 for index/);
  throwsShort(() => tensor([1, 2]).scatter(0, tensor([0.5]), tensor([1])), Error, /^aten::scatter\.src: .*int64/);
  throwsShort(() => tensor([1, 2], { dtype: 'int64' }).mean(), Error, /^aten::mean: .*floating point/);
  throwsShort(() => tensor([1, 2], { dtype: 'int32' }).sqrt_(), Error, /^aten::sqrt_: result type Float can't be cast/);
  throwsShort(() => tensor([1], { dtype: 'int32', requiresGrad: true }), Error, /^setRequiresGrad: Only Tensors of floating point/);
  throwsShort(() => zeros([2], { dtype: 'complex64' as never }), TypeError, /unknown dtype 'complex64'/);
  throwsShort(() => tensor([1], { dtype: 'float16' }), TypeError, /^tensor\(\): cannot create float16/);
}));

test('use after dispose is a TypeError naming the op (or the accessor)', leakFreeTidy(() => {
  const t = tensor([1, 2]);
  const u = tensor([3, 4]);
  t.dispose();
  throwsShort(() => t.add(1), TypeError, /^aten::add\.Scalar: argument 0 is a tensor that was used after dispose\(\)/);
  throwsShort(() => u.add(t), TypeError, /^aten::add\.Tensor: argument 1 .*used after dispose\(\)/);
  throwsShort(() => cat([u, t]), TypeError, /^aten::cat: argument 0 .*used after dispose\(\)/);
  throwsShort(() => t.item(), TypeError, /used after dispose\(\)/);
  throwsShort(() => t.toArray(), TypeError, /used after dispose\(\)/);
  throwsShort(() => t.shape, TypeError, /used after dispose\(\)/);
  throwsShort(() => grad(u.sum(), [t]), TypeError, /used after dispose\(\)/);
  // The addon's own check (reached when a handle is released behind the Tensor's back) agrees.
  const h = tensor([5]).handle;
  native.dispose(h);
  throwsShort(() => native.toBuffer(h), TypeError, /^toBuffer: tensor was used after dispose\(\)$/);
}));

test('bad argument types are TypeErrors naming the op and argument', leakFreeTidy(() => {
  const t = tensor([[1, 2]]);
  throwsShort(() => t.reshape('a' as never), TypeError, /^aten::reshape: argument 'shape': expected an array of integers/);
  throwsShort(() => t.reshape([1.5, 2]), TypeError, /^aten::reshape: argument 'shape': expected an integer, got 1\.5/);
  throwsShort(() => t.sum('x' as never), TypeError, /^aten::sum\.dim_IntList: argument 'dim'/);
  throwsShort(() => t.add('x' as never), TypeError, /^aten::add\.Scalar: argument 'other': expected a number/);
  throwsShort(() => t.mul({} as never), TypeError, /^aten::mul\.Scalar: argument 'other'/);
  throwsShort(() => t.transpose('a' as never, 0), TypeError, /^aten::transpose\.int: argument 'dim0': expected an integer/);
  throwsShort(() => t.gather(1, [0, 1] as never), TypeError, /^aten::gather: argument 'index' is not a tensor handle/);
  throwsShort(() => op('aten::add', 'Tensor')(t), TypeError, /^aten::add\.Tensor: missing argument 'other'/);
  throwsShort(() => op('aten::neg')(t, 1, 2), TypeError, /^aten::neg: expected at most 1 arguments, got 3/);
  throwsShort(() => op('aten::no_such_op')(t), Error, /^aten::no_such_op: Could not find schema for aten::no_such_op/);
  throwsShort(() => op('aten::add', 'NoSuchOverload')(t, t), Error, /^aten::add\.NoSuchOverload: Could not find schema/);
  throwsShort(() => op('aten::upsample_nearest2d', 'vec')(zeros([1, 1, 2, 2]), null, ['a', 2]), TypeError, /^aten::upsample_nearest2d\.vec: argument 'scale_factors': expected an array of numbers/);
  throwsShort(() => op('aten::index', 'Tensor')(t, 5), TypeError, /^aten::index\.Tensor: argument 'indices': expected an array of tensors or nulls/);
  throwsShort(() => op('aten::add', 'Scalar')(t, 2n ** 70n), RangeError, /^aten::add\.Scalar: argument 'other': BigInt outside the int64 range/);
  throwsShort(() => op('aten::normal_')(t, 0, 1, {}), TypeError, /^aten::normal_: argument 'generator': generators are not supported/);
  throwsShort(() => tensor(['a'] as never), TypeError, /^tensor\(\): expected numbers/);
  throwsShort(() => setNumThreads(0), RangeError, /^Expected an integer >= 1 for setNumThreads\(\) argument n but received 0$/);
}));

test('booleans, strings and devices are checked, not coerced (no JS truthiness)', leakFreeTidy(() => {
  const x = ones([2, 3]);
  throwsShort(() => op('aten::sum', 'dim_IntList')(x, [0], 'false'), TypeError, /^aten::sum\.dim_IntList: argument 'keepdim': expected a boolean, got a string$/);
  throwsShort(() => op('aten::sum', 'dim_IntList')(x, [0], 0), TypeError, /argument 'keepdim': expected a boolean, got a number$/);
  assert.deepEqual(op('aten::sum', 'dim_IntList')(x, [0], false).shape, [3]);
  throwsShort(() => op('aten::div', 'Tensor_mode')(x, x, 3), TypeError, /^aten::div\.Tensor_mode: argument 'rounding_mode': expected a string, got a number$/);
  assert.deepEqual(op('aten::div', 'Tensor_mode')(x, x, 'floor').toNumbers(), [1, 1, 1, 1, 1, 1]);
  throwsShort(() => op('aten::to', 'device')(x, 'gpu', 6), RangeError, /^aten::to\.device: argument 'device': 'gpu' is not a device/);
  throwsShort(() => op('aten::to', 'device')(x, 0, 6), TypeError, /argument 'device': expected a string, got a number$/);
  throwsShort(() => x.requiresGrad_(1 as never), TypeError, /^setRequiresGrad: requiresGrad: expected a boolean, got a number$/);
  throwsShort(() => native.setGradEnabled('no' as never), TypeError, /^setGradEnabled: enabled: expected a boolean, got a string$/);
}));

test('fromBuffer errors name the argument once', () => {
  throwsShort(() => native.fromBuffer(new Float32Array(2), [3], 0), TypeError, /^fromBuffer: data has 8 bytes but shape needs 12$/);
  throwsShort(() => native.fromBuffer([1] as never, [1], 0), TypeError, /^fromBuffer: data: expected a typed array, got an object$/);
  throwsShort(() => native.fromBuffer(new Float32Array(1), 'x' as never, 0), TypeError, /^fromBuffer: shape: expected an array of integers$/);
  throwsShort(() => native.fromBuffer(new Float32Array(1), [1], 1.5), TypeError, /^fromBuffer: dtype: expected an integer, got 1\.5/);
});

test('item() on a multi-element tensor is a RangeError with the shape', leakFreeTidy(() => {
  throwsShort(() => tensor([1, 2]).item(), RangeError, /^item\(\): tensor has 2 elements, shape \[2\]; expected exactly 1/);
  throwsShort(() => zeros([0]).item(), RangeError, /^item\(\): tensor has 0 elements/);
}));

test('autograd misuse names the entry point', leakFreeTidy(() => {
  const x = tensor([1, 2], { requiresGrad: true });
  throwsShort(() => x.mul(2).backward(), Error, /^backward: grad can be implicitly created only for scalar outputs/);
  throwsShort(() => grad(tensor([1, 2]).sum(), [tensor([1])]), Error, /^autograd\.grad: element 0 of tensors does not require grad/);
  throwsShort(() => x.add_(1), Error, /^aten::add_\.Scalar: a leaf Variable that requires grad/);
}));

test('an unsupported backend (very long libtorch message) is cut short', leakFreeTidy(() => {
  throwsShort(() => op('aten::_indices')(tensor([1, 2])), Error, /^aten::_indices: Could not run 'aten::_indices' with arguments from the 'CPU' backend/);
}));

test('the engine keeps working after errors', leakFreeTidy(() => {
  for (let i = 0; i < 50; i++) assert.throws(() => tensor([1, 2, 3]).add(tensor([1, 2])));
  assert.deepEqual(tensor([1, 2]).add(1).toNumbers(), [2, 3]);
}));
