// The GC fallback: handles that are never disposed are released when their Tensor is collected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memory, tensor, type Tensor } from '../../src/core/index.js';
import { collectGarbage as gc } from '../helpers/gc.js';

/** Collects until the live handle count reaches `target` (finalizers run after the GC, in a later task). */
async function collectUntil(target: number, tries = 20): Promise<void> {
  for (let i = 0; i < tries && memory().tensors > target; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

function makeGarbage(n: number, disposeEvery = 0): void {
  for (let i = 0; i < n; i++) {
    const t = tensor(new Float32Array(1000).fill(i));
    if (disposeEvery && i % disposeEvery === 0) t.dispose();
  }
}

test('never-disposed tensors are released after GC: count and bytes return to the baseline', async () => {
  await collectUntil(0);
  const base = memory();
  makeGarbage(200);
  assert.equal(memory().tensors, base.tensors + 200);
  assert.equal(memory().bytes, base.bytes + 200 * 4000);
  await collectUntil(base.tensors);
  assert.deepEqual(memory(), base);
});

test('a handle disposed explicitly is not released twice by its finalizer', async () => {
  await collectUntil(0);
  const base = memory();
  makeGarbage(100, 2); // half disposed now, half left to the GC
  assert.equal(memory().tensors, base.tensors + 50);
  await collectUntil(base.tensors);
  assert.deepEqual(memory(), base); // exactly the baseline, not below
});

test('reachable tensors survive GC with their data', async () => {
  const kept: Tensor[] = [];
  for (let i = 0; i < 10; i++) kept.push(tensor([i, i, i, i]));
  const base = memory();
  makeGarbage(50);
  await collectUntil(base.tensors);
  assert.deepEqual(memory(), base);
  kept.forEach((t, i) => assert.deepEqual(t.toNumbers(), [i, i, i, i]));
  kept.forEach((t) => t.dispose());
});

test('op results and views left to the GC are released too', async () => {
  await collectUntil(0);
  const base = memory();
  (() => {
    const a = tensor(new Float64Array(64), { shape: [8, 8] });
    for (let i = 0; i < 20; i++) a.add(i).t().select(0, 1).sum();
    const { values, indices } = a.topk(2);
    void values;
    void indices;
  })();
  assert.ok(memory().tensors > base.tensors);
  await collectUntil(base.tensors);
  assert.deepEqual(memory(), base);
});
