// memory(): live handles and the bytes each references (nbytes of its own view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesPerElement, full, memory, tensor, zeros, type DType } from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';

test('bytes match nbytes for each dtype and shape', async () => {
  await withLeakCheck(() => {
    const cases: [number[], DType, number][] = [
      [[3, 4], 'float32', 48],
      [[5], 'float64', 40],
      [[2, 2], 'int64', 32],
      [[3], 'int32', 12],
      [[7], 'uint8', 7],
      [[3], 'bool', 3],
      [[2, 3], 'float16', 12],
      [[0, 5], 'float32', 0],
      [[], 'float64', 8],
    ];
    for (const [shape, dtype, nbytes] of cases) {
      assert.equal(shape.reduce((a, b) => a * b, 1) * bytesPerElement(dtype), nbytes);
      const before = memory();
      const t = zeros(shape, { dtype });
      const during = memory();
      assert.equal(during.tensors, before.tensors + 1, `${dtype} [${shape}]`);
      assert.equal(during.bytes - before.bytes, nbytes, `${dtype} [${shape}]`);
      t.dispose();
      assert.deepEqual(memory(), before, `${dtype} [${shape}] after dispose`);
    }
  });
});

test('tensors from data, views and op results are each counted with their own size', async () => {
  await withLeakCheck(() => {
    const base = memory();
    const a = tensor(new Float32Array(12), { shape: [3, 4] });
    assert.equal(memory().bytes - base.bytes, 48);
    const row = a.select(0, 1); // a view: its own 4 float32
    assert.equal(memory().bytes - base.bytes, 48 + 16);
    const lifted = row.unsqueeze(0); // 16
    const wide = lifted.expand([5, 4]); // an expanded view counts its 5·4 float32
    assert.equal(memory().tensors - base.tensors, 4);
    assert.equal(memory().bytes - base.bytes, 48 + 16 + 16 + 80);
    const s = a.sum(0); // 4 float32
    assert.equal(memory().bytes - base.bytes, 48 + 16 + 16 + 80 + 16);
    return [a, row, lifted, wide, s];
  });
});

test('a gradient read through .grad is a counted handle of its own', async () => {
  const x = tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  x.sum().backward();
  const base = memory();
  const g = x.grad!;
  assert.equal(memory().tensors, base.tensors + 1);
  assert.equal(memory().bytes, base.bytes + 24);
  g.dispose();
  assert.deepEqual(memory(), base);
  x.dispose();
});

test('after disposing everything, the counts return to where they were', async () => {
  const base = memory();
  const ts = [zeros([100]), tensor([[1, 2], [3, 4]], { dtype: 'int64' }), full([10], 1)];
  assert.equal(memory().tensors, base.tensors + ts.length);
  ts.forEach((t) => t.dispose());
  assert.deepEqual(memory(), base);
});
