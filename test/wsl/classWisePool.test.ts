import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, manualSeed, tensor } from '../../src/core/index.js';
import { classWisePool } from '../../src/wsl/index.js';
import { assertClose } from '../helpers/assertTensor.js';
import { gradCheck } from '../helpers/gradcheck.js';
import { withLeakCheck } from '../helpers/leak.js';
import { scoped } from './scoped.js';
import { tieFreeMaps } from './maps.js';

test('class-major channels: channel c·M + m is modality m of class c', () => {
  scoped(() => {
    // B = 1, C = 2, M = 3, one region: channels [a0 a1 a2 b0 b1 b2].
    const x = tensor(Float64Array.from([1, 2, 6, 10, 40, 20]), { shape: [1, 6, 1, 1] });
    assert.deepEqual(classWisePool(x, { maps: 3 }).toNumbers(), [3, 70 / 3]);
    assert.deepEqual(classWisePool(x, { maps: 3, mode: 'max' }).toNumbers(), [6, 40]);
    assert.deepEqual(classWisePool(x, { maps: 1 }).shape, [1, 6, 1, 1]);
  });
});

test('mean: the true gradient, 1/M to every map; finite differences for both modes', () => {
  scoped(() => {
    manualSeed(41);
    const x = tieFreeMaps([2, 6, 2, 3]);
    const xg = x.clone().requiresGrad_(true);
    const [g] = grad(classWisePool(xg, { maps: 3 }).sum(), [xg]);
    assertClose(g!.toArray() as Float64Array, new Float64Array(72).fill(1 / 3), { atol: 1e-15 });
    gradCheck((x) => classWisePool(x, { maps: 3 }), [x]);
    gradCheck((x) => classWisePool(x, { maps: 2, mode: 'max' }), [x]);
  });
});

test('max: the gradient goes to the largest map, the first one among equals', () => {
  scoped(() => {
    const x = tensor(Float64Array.from([1, 5, 3, 3, 2, 7, 7, 0]), { shape: [1, 4, 1, 2], requiresGrad: true });
    // class 0: maps (1,5) and (3,3) → max (3,5); class 1: (2,7) and (7,0) → max (7,7): position 1 ties? no: (7 vs 0) and (2 vs 7).
    const y = classWisePool(x, { maps: 2, mode: 'max' });
    assert.deepEqual(y.toNumbers(), [3, 5, 7, 7]);
    const [g] = grad(y.sum(), [x]);
    assert.deepEqual(g!.toNumbers(), [0, 1, 1, 0, 0, 1, 1, 0]);
    const t = tensor(Float64Array.from([4, 4]), { shape: [1, 2, 1, 1], requiresGrad: true });
    const [gt] = grad(classWisePool(t, { maps: 2, mode: 'max' }).sum(), [t]);
    assert.deepEqual(gt!.toNumbers(), [1, 0]);
  });
});

test('bad input: rank, maps not dividing the channels, bad maps or mode', async () => {
  scoped(() => {
    const x = tensor(new Float32Array(2 * 6 * 3 * 3), { shape: [2, 6, 3, 3] });
    assert.throws(() => classWisePool(x, { maps: 4 }), /classWisePool: maps = 4 does not divide the 6 channels of x \(shape \[2, 6, 3, 3\]\); channels must be classes × maps/);
    assert.throws(() => classWisePool(x, { maps: 0 }), /maps must be a positive integer .* got 0 \(x shape \[2, 6, 3, 3\]\)/);
    assert.throws(() => classWisePool(x, { maps: 1.5 }), /maps must be a positive integer/);
    assert.throws(() => classWisePool(x.reshape([12, 9]), { maps: 2 }), /classWisePool: x must be maps \[batch, classes·maps, height, width\] \(rank 4\), got shape \[12, 9\]/);
    assert.throws(() => classWisePool(x, { maps: 2, mode: 'sum' as 'max' }), { name: 'RangeError', message: "Expected one of 'mean', 'max' for option mode of classWisePool() but received 'sum'" });
  });
  await withLeakCheck(() => {
    const x = tieFreeMaps([2, 6, 2, 2]).requiresGrad_(true);
    const ys = [classWisePool(x, { maps: 2 }), classWisePool(x, { maps: 3, mode: 'max' })];
    const parts = [ys[0]!.sum(), ys[1]!.sum()];
    const total = parts[0]!.add(parts[1]!);
    const [g] = grad(total, [x]);
    assert.throws(() => classWisePool(x, { maps: 4 }), /does not divide/);
    return [x, ys, parts, total, g];
  });
});
