import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manualSeed, randn, tensor, tidy, toBytes, type Tensor } from '../../src/core/index.js';
import { BatchNorm2d, Conv2d, Linear, Module } from '../../src/nn/index.js';
import { SGD } from '../../src/optim/index.js';
import { saveTensors } from '../../src/io/index.js';
import { saveCheckpoint, loadCheckpoint, disposeCheckpoint } from '../../src/train/checkpoint.js';
import { loadRun } from '../../src/train/loadRun.js';
import { RUN_FILES } from '../../src/train/wslTrainer.js';
import { withLeakCheck } from '../helpers/leak.js';
import { withTempDir } from './fixtures.js';

class Small extends Module {
  declare conv: Conv2d;
  declare bn: BatchNorm2d;
  declare fc: Linear;
  constructor() {
    super();
    this.registerModule('conv', new Conv2d(3, 4, 3, { padding: 1 }));
    this.registerModule('bn', new BatchNorm2d(4));
    this.registerModule('fc', new Linear(4, 2));
  }
  forward(x: Tensor): Tensor {
    return tidy(() => this.fc.forward(this.bn.forward(this.conv.forward(x)).relu().mean([2, 3])));
  }
}

function step(net: Small, opt: SGD, seed: number): void {
  tidy(() => {
    manualSeed(seed);
    const loss = net.forward(randn([2, 3, 5, 5])).pow(2).mean();
    opt.zeroGrad();
    loss.backward();
    opt.step();
  });
}

const bytesOf = (net: Module): Map<string, string> =>
  tidy(() => new Map([...net.stateDict()].map(([k, t]) => [k, Buffer.from(toBytes(t)).toString('hex')])));

test('saveCheckpoint / loadCheckpoint round trip: model, optimizer state and meta; no temp files', async () => {
  await withTempDir(async (dir) => {
    await withLeakCheck(() => {
      manualSeed(1);
      const a = new Small();
      const optA = new SGD(a.parameters(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 });
      step(a, optA, 10);
      step(a, optA, 11);
      const path = join(dir, 'run', 'last.ckpt.safetensors');
      const meta = { epoch: 3, batch: 7, bestMAP: 0.5, note: 'é', nested: { k: [1, 2] } };
      saveCheckpoint(path, a, meta, optA);
      assert.deepEqual(readdirSync(join(dir, 'run')), ['last.ckpt.safetensors'], 'only the checkpoint, no temporary file');

      manualSeed(2);
      const b = new Small();
      const optB = new SGD(b.parameters(), { lr: 0.5, momentum: 0.9, weightDecay: 1e-4 });
      const c = loadCheckpoint<typeof meta>(path);
      try {
        assert.deepEqual(c.meta, meta);
        assert.ok(c.model.has('bn.running_mean') && c.model.has('fc.weight'));
        b.loadStateDict(c.model);
        assert.ok(c.optimizer);
        optB.loadStateDict(c.optimizer);
      } finally {
        disposeCheckpoint(c);
      }
      assert.deepEqual(bytesOf(b), bytesOf(a));
      assert.equal(optB.getLr()[0], 0.1, 'the learning rate comes back with the optimizer state');
      // With the momentum buffers restored, the next step is identical.
      step(a, optA, 12);
      step(b, optB, 12);
      assert.deepEqual(bytesOf(b), bytesOf(a));

      // Without an optimizer: optimizer is null.
      saveCheckpoint(join(dir, 'weights.safetensors'), a, { only: 'weights' });
      const w = loadCheckpoint(join(dir, 'weights.safetensors'));
      assert.equal(w.optimizer, null);
      assert.deepEqual(w.meta, { only: 'weights' });
      disposeCheckpoint(w);
      optA.dispose();
      optB.dispose();
      a.dispose();
      b.dispose();
    });
  });
});

test('a plain weight file loads as a model-only checkpoint', async () => {
  await withTempDir(async (dir) => {
    await withLeakCheck(() => {
      const path = join(dir, 'plain.safetensors');
      tidy(() => saveTensors(path, { 'fc.weight': tensor([[1, 2]]), 'fc.bias': tensor([3]) }));
      const c = loadCheckpoint(path);
      assert.deepEqual([...c.model.keys()], ['fc.weight', 'fc.bias']);
      assert.equal(c.optimizer, null);
      assert.deepEqual(c.meta, {});
      disposeCheckpoint(c);
    });
  });
});

test('damaged checkpoints give errors naming the file, and leak nothing', async () => {
  await withTempDir(async (dir) => {
    await withLeakCheck(() => {
      const net = new Small();
      const opt = new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 });
      step(net, opt, 1);
      const path = join(dir, 'last.ckpt.safetensors');
      saveCheckpoint(path, net, { epoch: 1 }, opt);
      const bytes = readFileSync(path);

      const truncated = join(dir, 'truncated.safetensors');
      for (const n of [bytes.length - 10, Math.floor(bytes.length / 2), 100, 5, 0]) {
        writeFileSync(truncated, bytes.subarray(0, n));
        assert.throws(() => loadCheckpoint(truncated), (e: Error) => {
          assert.ok(e.message.includes(truncated), `message names the file (cut at ${n}): ${e.message}`);
          assert.ok(e.message.length < 400, 'a short message');
          return true;
        });
      }
      assert.throws(() => loadCheckpoint(join(dir, 'missing.safetensors')), /missing\.safetensors: checkpoint not found/);

      // Valid tensors, damaged metadata JSON: a clear error and no tensor left behind.
      const badMeta = join(dir, 'badmeta.safetensors');
      tidy(() => saveTensors(badMeta, { 'model.w': tensor([1]) }, { format: 'wildcat-ts-checkpoint/1', meta: '{"epoch": ', optimizer: '' }));
      assert.throws(() => loadCheckpoint(badMeta), (e: Error) => e.message.includes(badMeta) && /not valid JSON/.test(e.message));
      opt.dispose();
      net.dispose();
    });
  });
});

test('loadRun on something that is not a run folder says so', async () => {
  await withTempDir(async (dir) => {
    assert.throws(() => loadRun(dir), (e: Error) => e.message.includes(dir) && /not a run folder/.test(e.message) && /wildcat train/.test(e.message));
    assert.throws(() => loadRun(join(dir, 'nope')), /not a run folder/);
    mkdirSync(join(dir, 'r'));
    writeFileSync(join(dir, 'r', RUN_FILES.config), '{"model": {}}');
    assert.throws(() => loadRun(join(dir, 'r')), /no checkpoint yet/);
    writeFileSync(join(dir, 'r', RUN_FILES.config), '{"model": ');
    assert.throws(() => loadRun(join(dir, 'r')), (e: Error) => e.message.includes(join(dir, 'r', RUN_FILES.config)));
    for (const damaged of ['null', '{}', '{"model": 3}']) {
      writeFileSync(join(dir, 'r', RUN_FILES.config), damaged);
      assert.throws(() => loadRun(join(dir, 'r')), { message: `${join(dir, 'r', RUN_FILES.config)}: cannot read the run's config (not an object with a "model")` });
    }
  });
});
