// Memory stays flat over a long training run: 1,000 SGD steps of a
// small WSL network through the trainer's own step function must end with as many live tensors
// as after the first step (momentum buffers exist from then on), and the resident set must not
// keep growing between step 200 and step 1,000.
// The loop yields to the event loop after each step, as trainWsl does (it awaits its next batch).
// The resident set is read after a real, full garbage collection (test/helpers/gc.ts), so what
// is measured is what the step keeps, not what the collector has yet to reclaim. Measured: RSS
// rises ~10 MB between step 200 and step 1,000 (allocator and JIT warm-up), then stays within
// 1 MB up to step 4,000; a leak of 20 kB per step would cross the 16 MB bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, memory, setNumThreads, tensor } from '../../src/core/index.js';
import { SGD } from '../../src/optim/index.js';
import type { Batch } from '../../src/data/index.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import { parseSpatialPooling } from '../../src/wsl/spatialPooling.js';
import { multiLabelLogisticLoss } from '../../src/wsl/index.js';
import { trainStep } from '../../src/train/wslTrainer.js';
import { collectGarbage } from '../helpers/gc.js';

const STEPS = 1000;
const S = 32;
const B = 4;
const C = 3;

function fakeBatch(k: number): Batch {
  const images = new Float32Array(B * 3 * S * S);
  for (let i = 0; i < images.length; i++) images[i] = Math.sin(0.01 * i * (1 + (k % 7)));
  const labels = new Int8Array(B * C).map((_, i) => ((i + k) % 3 === 0 ? 1 : -1));
  return { images, labels, ids: [], indices: new Int32Array(B), batchSize: B, size: S, numClasses: C, epoch: 0, index: k };
}

test(`${STEPS} training steps: live tensors constant after step 1, RSS flat after step 200`, async () => {
  setNumThreads(1);
  manualSeed(1);
  const before = memory().tensors;
  const net = buildWildcatNet({ backbone: { depth: 18, widthMultiplier: 0.125, outputStride: 16 }, numClasses: C, maps: 2, classWise: 'mean', pooling: parseSpatialPooling('wildcat'), architecture: 'maps' });
  const opt = new SGD([{ params: net.backboneParameters(), lr: 0.001 }, { params: net.headParameters(), lr: 0.01 }], { lr: 0.01, momentum: 0.9, weightDecay: 1e-4 });
  const lossFn = (s: Parameters<typeof multiLabelLogisticLoss>[0], b: Batch) => multiLabelLogisticLoss(s, tensor(b.labels, { shape: [b.batchSize, C], dtype: 'float32' }));
  const batches = Array.from({ length: 8 }, (_, k) => fakeBatch(k));
  let afterFirst = 0;
  let rss200 = 0;
  try {
    net.train();
    for (let step = 1; step <= STEPS; step++) {
      const loss = trainStep(net, opt, lossFn, batches[step % batches.length]!, S);
      assert.ok(Number.isFinite(loss), `step ${step}: loss ${loss}`);
      await new Promise((r) => setImmediate(r));
      if (step === 1) afterFirst = memory().tensors;
      if (step === 200) {
        collectGarbage();
        rss200 = process.memoryUsage().rss;
      }
      if (step % 100 === 0) assert.equal(memory().tensors, afterFirst, `live tensors after step ${step}`);
    }
    collectGarbage();
    const rss1000 = process.memoryUsage().rss;
    const growthMB = (rss1000 - rss200) / 2 ** 20;
    assert.equal(memory().tensors, afterFirst, 'live tensors after the last step');
    if (process.env.WILDCAT_TEST_VERBOSE) console.log(`RSS +${growthMB.toFixed(1)} MB from step 200 to ${STEPS}`);
    assert.ok(growthMB < 16, `RSS grew by ${growthMB.toFixed(1)} MB between step 200 and step ${STEPS}`);
  } finally {
    opt.dispose();
    net.dispose();
  }
  assert.equal(memory().tensors, before, 'everything released at the end');
});
