import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, tensor, tidy, toBytes, type Tensor } from '../../src/core/index.js';
import { SGD } from '../../src/optim/index.js';
import type { Batch } from '../../src/data/index.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import { parseSpatialPooling } from '../../src/wsl/spatialPooling.js';
import { multiLabelLogisticLoss } from '../../src/wsl/index.js';
import { trainStep } from '../../src/train/wslTrainer.js';
import { withLeakCheck } from '../helpers/leak.js';

const S = 32;
const batch: Batch = {
  images: new Float32Array(2 * 3 * S * S).map((_, i) => Math.cos(0.05 * i)),
  labels: Int8Array.from([1, -1, -1, 1]),
  ids: ['a', 'b'], indices: Int32Array.from([0, 1]), batchSize: 2, size: S, numClasses: 2, epoch: 0, index: 0,
};
const logistic = (s: Tensor, b: Batch) => multiLabelLogisticLoss(s, tensor(b.labels, { shape: [b.batchSize, b.numClasses], dtype: 'float32' }));

test('trainStep: a finite loss updates the weights; a NaN or infinite loss leaves weights and optimizer state untouched', async () => {
  await withLeakCheck(() => {
    manualSeed(4);
    const net = buildWildcatNet({ backbone: { depth: 18, widthMultiplier: 0.125, outputStride: 16 }, numClasses: 2, maps: 1, classWise: 'mean', pooling: parseSpatialPooling('wildcat'), architecture: 'maps' });
    const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
    // BatchNorm's running statistics move with every training-mode forward; the parameters and
    // the optimizer state must not move on a skipped step.
    const params = () => tidy(() => net.parameters().map((p) => Buffer.from(toBytes(p)).toString('base64')).join());
    const optState = () => tidy(() => {
      const sd = opt.stateDict();
      return JSON.stringify(sd.meta) + Object.entries(sd.tensors).map(([k, t]) => `${k}:${Buffer.from(toBytes(t)).toString('base64')}`).join();
    });
    try {
      net.train();
      const p0 = params();
      const o0 = optState();
      for (const bad of [NaN, Infinity]) {
        const loss = trainStep(net, opt, (s, b) => logistic(s, b).mul(bad), batch, S);
        assert.ok(!Number.isFinite(loss), `returns the non-finite loss (${loss})`);
      }
      assert.equal(params(), p0, 'the weights were not updated');
      assert.equal(optState(), o0, 'no momentum buffer was created by the skipped steps');
      assert.ok(net.parameters().every((p) => p.grad === null || p.grad === undefined), 'no gradient was even computed');
      const loss = trainStep(net, opt, logistic, batch, S);
      assert.ok(Number.isFinite(loss) && loss > 0);
      assert.notEqual(params(), p0, 'a finite step moves the weights');
      assert.notEqual(optState(), o0);
    } finally {
      opt.dispose();
      net.dispose();
    }
  });
});
