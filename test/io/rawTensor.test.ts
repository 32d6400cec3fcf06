import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  RAW_DTYPES, bfloat16BitsToFloat32, checkRawTensor, dtypeByteSize, float16BitsToFloat32, float32ToBfloat16Bits,
  float32ToFloat16Bits, isRawDType, rawTensorFromValues, rawTensorToFloat32, rawTensorValues, shapeNumel,
} from '../../src/io/index.js';

test('dtype sizes and numel', () => {
  assert.deepEqual(RAW_DTYPES.map(dtypeByteSize), [4, 8, 2, 2, 8, 4, 2, 1, 1, 1]);
  assert.ok(isRawDType('bfloat16'));
  assert.ok(!isRawDType('complex64'));
  assert.ok(!isRawDType('toString'));
  assert.equal(shapeNumel([]), 1);
  assert.equal(shapeNumel([2, 0, 3]), 0);
  assert.equal(shapeNumel([2, 3, 4]), 24);
  assert.throws(() => shapeNumel([2, -1]), /non-negative integers/);
  assert.throws(() => shapeNumel([1.5]), /non-negative integers/);
});

test('float16 decoding: normals, subnormals, signed zero, infinities, NaN', () => {
  assert.equal(float16BitsToFloat32(0x3c00), 1);
  assert.equal(float16BitsToFloat32(0xc000), -2);
  assert.equal(float16BitsToFloat32(0x7bff), 65504);
  assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
  assert.equal(float16BitsToFloat32(0x03ff), 1023 * 2 ** -24);
  assert.equal(float16BitsToFloat32(0x0400), 2 ** -14);
  assert.ok(Object.is(float16BitsToFloat32(0x8000), -0));
  assert.equal(float16BitsToFloat32(0x7c00), Infinity);
  assert.equal(float16BitsToFloat32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
});

test('float16 encoding rounds to nearest even and round-trips every half', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const v = float16BitsToFloat32(bits);
    if (Number.isNaN(v)) assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(v))));
    else assert.equal(float32ToFloat16Bits(v), bits, `bits 0x${bits.toString(16)}`);
  }
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even (down)
  assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie → even (up)
  assert.equal(float32ToFloat16Bits(65520), 0x7c00); // rounds to infinity
  assert.equal(float32ToFloat16Bits(65519), 0x7bff);
  assert.equal(float32ToFloat16Bits(1e9), 0x7c00);
  assert.equal(float32ToFloat16Bits(2 ** -25), 0x0000); // tie between 0 and the smallest subnormal → 0
  assert.equal(float32ToFloat16Bits(1.5 * 2 ** -25), 0x0001);
  assert.equal(float32ToFloat16Bits(3 * 2 ** -25), 0x0002); // tie 1.5 ulp → even
  assert.equal(float32ToFloat16Bits(1e-10), 0x0000);
  assert.equal(float32ToFloat16Bits(-1e-10), 0x8000);
  assert.equal(float32ToFloat16Bits(0.1), 0x2e66); // as numpy.float16(0.1)
});

test('bfloat16 conversions', () => {
  assert.equal(bfloat16BitsToFloat32(0x3f80), 1);
  assert.equal(bfloat16BitsToFloat32(0xc049), -3.140625);
  assert.equal(float32ToBfloat16Bits(1), 0x3f80);
  assert.equal(float32ToBfloat16Bits(0.1), 0x3dcd); // as torch.tensor(0.1).bfloat16()
  assert.equal(float32ToBfloat16Bits(1 + 2 ** -8), 0x3f80); // tie → even
  assert.equal(float32ToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82);
  assert.equal(float32ToBfloat16Bits(Infinity), 0x7f80);
  assert.ok(Number.isNaN(bfloat16BitsToFloat32(float32ToBfloat16Bits(NaN))));
});

test('rawTensorFromValues / rawTensorValues round trip every dtype', () => {
  const cases: [Parameters<typeof rawTensorFromValues>[0], number[]][] = [
    ['float32', [1.5, -2.25, 0]],
    ['float64', [Math.PI, -1e300, 5e-324]],
    ['float16', [0.5, -65504, 2 ** -24]],
    ['bfloat16', [1, -3.140625, 2 ** 100]],
    ['int32', [2 ** 31 - 1, -(2 ** 31), 7]],
    ['int16', [-32768, 32767, 0]],
    ['int8', [-128, 127, 3]],
    ['uint8', [0, 255, 9]],
    ['bool', [1, 0, 1]],
  ];
  for (const [dtype, values] of cases) {
    const t = rawTensorFromValues(dtype, [3], values);
    checkRawTensor(t);
    assert.equal(t.data.byteLength, 3 * dtypeByteSize(dtype));
    assert.deepEqual(Array.from(rawTensorValues(t) as ArrayLike<number>), values, dtype);
  }
  const big = rawTensorFromValues('int64', [2], [2n ** 62n, -5n]);
  assert.deepEqual(Array.from(rawTensorValues(big) as BigInt64Array), [2n ** 62n, -5n]);
  assert.deepEqual(Array.from(rawTensorToFloat32(big)), [2 ** 62, -5]);
  assert.deepEqual(Array.from(rawTensorToFloat32(rawTensorFromValues('float16', [2], [0.5, 2]))), [0.5, 2]);
  assert.deepEqual(Array.from(rawTensorValues(rawTensorFromValues('bool', [2], [5, 0])) as Uint8Array), [1, 0]);
  assert.throws(() => rawTensorFromValues('float32', [2, 2], [1, 2, 3]), /shape \[2, 2\] has 4 elements but 3 values/);
});

test('rawTensorValues copes with unaligned data and never aliases it', () => {
  const buf = new Uint8Array(13);
  const data = buf.subarray(1, 13); // byteOffset 1: a Float32Array view would throw
  data.set(rawTensorFromValues('float32', [3], [1, 2, 3]).data);
  const v = rawTensorValues({ dtype: 'float32', shape: [3], data }) as Float32Array;
  assert.deepEqual(Array.from(v), [1, 2, 3]);
  v[0] = 42;
  assert.equal(rawTensorValues({ dtype: 'float32', shape: [3], data })[0], 1);
});

test('checkRawTensor names the tensor and the mismatch', () => {
  assert.throws(() => checkRawTensor({ dtype: 'float32', shape: [2, 3], data: new Uint8Array(20) }, 'fc.weight'),
    /fc\.weight: float32 shape \[2, 3\] needs 24 bytes but data has 20/);
  assert.throws(() => checkRawTensor({ dtype: 'complex64' as 'float32', shape: [1], data: new Uint8Array(8) }, 'z'), /z: unknown dtype 'complex64'/);
  assert.throws(() => checkRawTensor({ dtype: 'int8', shape: [-1], data: new Uint8Array(0) }, 'q'), /q: invalid shape/);
});
