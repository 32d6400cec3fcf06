import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getNumThreads, manualSeed, setNumThreads, setThreadAdaptation, tensor, type Tensor } from '../../src/core/index.js';
import { openVocDataset, type VocDataset } from '../../src/data/index.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import type { WildcatNet } from '../../src/wsl/wildcatNet.js';
import { predictImages } from '../../src/train/predict.js';
import { withLeakCheck } from '../helpers/leak.js';
import { busyMachineTimes } from '../helpers/busyMachine.js';
import { SCENE_SIZE, tinyConfig, writeTinyScenes } from './fixtures.js';

let root: string;
let ds: VocDataset;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-predict-'));
  await writeTinyScenes(root, { train: 1, val: 1, test: 7 });
  ds = await openVocDataset(root, { split: 'test' });
});
after(() => rmSync(root, { recursive: true, force: true }));

test('predictImages with a real network: scores [N×C] in list order, points inside the image', async () => {
  await withLeakCheck(async () => {
    manualSeed(5);
    const net = buildWildcatNet({ ...tinyConfig('').model, numClasses: 4 });
    try {
      net.train();
      const progress: number[] = [];
      const pred = await predictImages(net, ds, { size: SCENE_SIZE, batchSize: 3, onProgress: (d, t) => progress.push(d, t) });
      assert.equal(net.training, true, 'the training mode is restored');
      assert.deepEqual(pred.ids, ds.ids);
      assert.deepEqual(pred.classNames, ['alpha', 'beta', 'mu', 'zeta']);
      assert.equal(pred.scores.length, 7 * 4);
      assert.equal(pred.points.length, 7 * 4 * 2);
      assert.deepEqual([...pred.sizes], Array(14).fill(SCENE_SIZE));
      assert.deepEqual(progress, [3, 7, 6, 7, 7, 7]);
      assert.ok(pred.scores.every(Number.isFinite));
      for (let i = 0; i < pred.points.length; i += 2) {
        const [x, y] = [pred.points[i]!, pred.points[i + 1]!];
        assert.ok(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < SCENE_SIZE && y < SCENE_SIZE, `point (${x}, ${y})`);
      }
      // The scores are the network's eval-mode scores of the images, in list order.
      const direct = await predictImages(net, ds, { size: SCENE_SIZE, batchSize: 7, points: false });
      assert.equal(direct.points.length, 0);
      assert.equal(direct.sizes.length, 0);
      for (let i = 0; i < pred.scores.length; i++) assert.ok(Math.abs(pred.scores[i]! - direct.scores[i]!) < 1e-5, `score ${i}`);
    } finally {
      net.dispose();
    }
  });
});

/**
 * A stand-in network whose class maps (4×4) hold a single peak, at a cell that depends on the
 * image's position in the stream and the class; its scores encode (image, class).
 */
function peakNet(): { net: WildcatNet; peakOf: (image: number, cls: number) => [number, number] } {
  const C = 3;
  const peakOf = (k: number, c: number): [number, number] => [(k + c) % 4, (2 * k + 3 * c) % 4]; // [row, col]
  let seen = 0;
  const fake = {
    numClasses: C,
    training: false,
    eval() { this.training = false; return this; },
    train() { this.training = true; return this; },
    forward(): Tensor { throw new Error('not used'); },
    forwardMaps(x: Tensor) {
      const B = x.shape[0]!;
      const maps = new Float32Array(B * C * 16);
      const scores = new Float32Array(B * C);
      for (let b = 0; b < B; b++, seen++) {
        for (let c = 0; c < C; c++) {
          const [r, q] = peakOf(seen, c);
          maps.fill(-1, (b * C + c) * 16, (b * C + c + 1) * 16);
          maps[(b * C + c) * 16 + r * 4 + q] = 2;
          scores[b * C + c] = seen * 10 + c;
        }
      }
      const classMaps = tensor(maps, { shape: [B, C, 4, 4] });
      return { scores: tensor(scores, { shape: [B, C] }), classMaps, modalityMaps: classMaps };
    },
  };
  return { net: fake as unknown as WildcatNet, peakOf };
}

test('points are the peak of the class map, upsampled to the original (non-square) image size', async () => {
  await withLeakCheck(async () => {
    const W = 80;
    const H = 48;
    const { net, peakOf } = peakNet();
    const list = { ids: ds.ids, classNames: ['a', 'b', 'c'], labels: new Int8Array(7 * 3).fill(-1), imagePath: (i: number) => ds.imagePath(i) };
    const pred = await predictImages(net, list, { size: 32, batchSize: 3, imageSize: async () => ({ width: W, height: H }) });
    for (let i = 0; i < 7; i++) {
      for (let c = 0; c < 3; c++) {
        assert.equal(pred.scores[i * 3 + c], i * 10 + c, 'scores in list order');
        const [row, col] = peakOf(i, c);
        const x = pred.points[(i * 3 + c) * 2]!;
        const y = pred.points[(i * 3 + c) * 2 + 1]!;
        // Inside the peak's cell (each map cell covers 20×12 image pixels) ...
        assert.ok(x >= col * 20 && x < (col + 1) * 20, `image ${i} class ${c}: x ${x} in cell column ${col}`);
        assert.ok(y >= row * 12 && y < (row + 1) * 12, `image ${i} class ${c}: y ${y} in cell row ${row}`);
        // ... and at its centre for interior cells (the bilinear maximum), within a pixel.
        if (col > 0 && col < 3) assert.ok(Math.abs(x - (col * 20 + 9.5)) <= 0.5, `x ${x} at the centre of column ${col}`);
        if (row > 0 && row < 3) assert.ok(Math.abs(y - (row * 12 + 5.5)) <= 0.5, `y ${y} at the centre of row ${row}`);
      }
    }
  });
});

test('with thread adaptation on, inference re-decides the thread count between batches (class maps and scores-only passes)', async () => {
  const before = getNumThreads();
  manualSeed(5);
  const net = buildWildcatNet({ ...tinyConfig('').model, numClasses: 4 });
  try {
    for (const points of [true, false]) {
      setNumThreads(2);
      setThreadAdaptation(true, { windowMs: 0, readTimes: busyMachineTimes(1) });
      await predictImages(net, ds, { size: SCENE_SIZE, batchSize: 3, points });
      assert.equal(getNumThreads(), 1, points ? 'class maps' : 'scores only');
    }
  } finally {
    net.dispose();
    setThreadAdaptation(false);
    setNumThreads(before);
  }
});
