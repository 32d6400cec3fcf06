import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/core/index.js';
import { functional as F } from '../../src/nn/index.js';
import { resizeBilinear } from '../../src/report/index.js';
import { withLeakCheck } from '../helpers/leak.js';

test('resizeBilinear: half-pixel centres, clamped borders', () => {
  assert.deepEqual([...resizeBilinear(Float32Array.of(0, 1), 1, 2, 1, 4)], [0, 0.25, 0.75, 1]);
  assert.deepEqual([...resizeBilinear(Float32Array.of(5), 1, 1, 2, 3)], [5, 5, 5, 5, 5, 5]);
});

test('resizeBilinear equals libtorch interpolate(bilinear, align_corners false), up and down', async () => {
  await withLeakCheck(() => {
    const h = 3;
    const w = 4;
    const map = Float32Array.from({ length: h * w }, (_, i) => Math.sin(1.7 * i) * 3 + i * 0.1);
    for (const [H, W] of [[7, 9], [12, 12], [2, 3]] as const) {
      const x = tensor(map, { shape: [1, 1, h, w] });
      const ref = F.interpolate(x, { size: [H, W], mode: 'bilinear', alignCorners: false });
      const want = ref.toArray() as Float32Array;
      x.dispose();
      ref.dispose();
      const got = resizeBilinear(map, h, w, H, W);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `${H}×${W} [${i}]: ${got[i]} vs ${want[i]}`);
    }
  });
});

test('resizeBilinear: clear errors', () => {
  assert.throws(() => resizeBilinear(new Float32Array(5), 2, 3, 4, 4), /map has 5 values, expected h·w = 2·3 = 6/);
  assert.throws(() => resizeBilinear(new Float32Array(6), 2, 3, 0, 4), /outH must be a positive integer, got 0/);
});
