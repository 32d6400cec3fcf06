import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, noGrad, tensor, tidy, toBytes, type Tensor } from '../../src/core/index.js';
import { resnet, type Module } from '../../src/nn/index.js';
import { loadTensors, saveTensors } from '../../src/io/index.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import { parseSpatialPooling } from '../../src/wsl/spatialPooling.js';
import { loadBackboneWeights } from '../../src/train/backboneWeights.js';
import { saveCheckpoint } from '../../src/train/checkpoint.js';
import { defaultPretrainConfig, pretrainBackbone } from '../../src/train/pretrain.js';
import { assertClose } from '../helpers/assertTensor.js';
import { withLeakCheck } from '../helpers/leak.js';
import { withTempDir } from './fixtures.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const TORCHVISION_PTH = join(FIXTURES, 'resnet18_w0.0625.pth');

const wslNet = (width: number) =>
  buildWildcatNet({ backbone: { depth: 18, widthMultiplier: width, outputStride: 16 }, numClasses: 3, maps: 2, classWise: 'mean', pooling: parseSpatialPooling('wildcat'), architecture: 'maps' });

const hexOf = (m: Module): Map<string, string> => tidy(() => new Map([...m.stateDict()].map(([k, t]) => [k, Buffer.from(toBytes(t)).toString('hex')])));

test('our pre-training output loads into a WSL backbone; its fc is ignored', async () => {
  await withTempDir(async (dir) => {
    await withLeakCheck(async () => {
      const path = join(dir, 'pre.safetensors');
      const r = await pretrainBackbone(
        { ...defaultPretrainConfig(), backbone: { depth: 18, widthMultiplier: 0.125, outputStride: 32 }, steps: 2, batchSize: 4, canvasSize: 48, minItemSize: 20, maxItemSize: 40, warmupSteps: 1, evalImages: 4, threads: 1 },
        path,
        { progress: false, log: () => undefined },
      );
      assert.equal(r.path, path);
      assert.ok(Number.isFinite(r.finalLoss) && r.accuracy >= 0 && r.accuracy <= 1);
      manualSeed(1);
      const net = wslNet(0.125);
      try {
        const ignored = loadBackboneWeights(net.backbone, path);
        assert.deepEqual(ignored.sort(), ['fc.bias', 'fc.weight']);
        const { tensors } = loadTensors(path);
        const loaded = hexOf(net.backbone);
        for (const [k, t] of tensors) {
          if (!k.startsWith('fc.')) assert.equal(loaded.get(k), Buffer.from(toBytes(t)).toString('hex'), k);
          t.dispose();
        }
        // A WSL run's checkpoint (backbone.* keys, a classifier) works as a source too.
        const ckpt = join(dir, 'run.safetensors');
        saveCheckpoint(ckpt, net, { epoch: 1 });
        manualSeed(2);
        const other = wslNet(0.125);
        try {
          assert.deepEqual(loadBackboneWeights(other.backbone, ckpt).sort(), ['classifier.bias', 'classifier.weight']);
          assert.deepEqual(hexOf(other.backbone), loaded);
        } finally {
          other.dispose();
        }
      } finally {
        net.dispose();
      }
    });
  });
});

test('a backbone of another width: the error names the mismatched keys, and nothing is loaded', async () => {
  await withLeakCheck(() => {
    const net = wslNet(0.125);
    try {
      const before = hexOf(net.backbone);
      assert.throws(() => loadBackboneWeights(net.backbone, TORCHVISION_PTH), (e: Error) => {
        assert.ok(e.message.includes(TORCHVISION_PTH), e.message);
        assert.match(e.message, /conv1\.weight: checkpoint \[4, 3, 7, 7\] vs model \[8, 3, 7, 7\]/);
        assert.match(e.message, /--width/);
        return true;
      });
      assert.deepEqual(hexOf(net.backbone), before);
    } finally {
      net.dispose();
    }
  });
});

test('missing backbone weights are listed by name, and nothing is loaded', async () => {
  await withTempDir(async (dir) => {
    await withLeakCheck(() => {
      const partial = join(dir, 'partial.safetensors');
      const { tensors } = loadTensors(TORCHVISION_PTH);
      const kept = new Map([...tensors].filter(([k]) => !k.startsWith('layer4.')));
      saveTensors(partial, kept);
      for (const t of tensors.values()) t.dispose();
      const net = wslNet(0.0625);
      try {
        const before = hexOf(net.backbone);
        assert.throws(() => loadBackboneWeights(net.backbone, partial), (e: Error) => {
          assert.ok(e.message.startsWith(`${partial}: `), e.message);
          assert.match(e.message, /missing \(\d+\): layer4\.0\.conv1\.weight, /);
          assert.ok(!/num_batches_tracked/.test(e.message));
          return true;
        });
        assert.deepEqual(hexOf(net.backbone), before, 'layers 1-3 were not loaded either');
        assert.throws(() => loadBackboneWeights(net.backbone, join(dir, 'none.pth')), /none\.pth/);
      } finally {
        net.dispose();
      }
    });
  });
});

test('a torchvision ResNet-18 .pth (torchvision names) loads and computes what torchvision computed', async () => {
  const expected = JSON.parse(readFileSync(join(FIXTURES, 'resnet18_w0.0625.json'), 'utf8')) as { inputShape: number[]; pooledFeatures: number[]; logits: number[]; keys: string[] };
  const n = expected.inputShape.reduce((a, b) => a * b, 1);
  const input = Float32Array.from({ length: n }, (_, k) => Math.sin(0.37 * k) + 0.5 * Math.cos(0.011 * k));
  await withLeakCheck(() => {
    // The classifier network: every key, strict.
    const full = resnet(18, { numClasses: 10, widthMultiplier: 0.0625 });
    const { tensors } = loadTensors(TORCHVISION_PTH);
    try {
      assert.deepEqual([...tensors.keys()], expected.keys);
      full.loadStateDict(tensors);
      full.eval();
      const logits = noGrad(() => tidy(() => full.forward(tensor(input, { shape: expected.inputShape })).toArray() as Float32Array));
      assertClose(logits, expected.logits, { atol: 1e-4, rtol: 1e-4 });
    } finally {
      for (const t of tensors.values()) t.dispose();
      full.dispose();
    }
    // The WSL backbone (no fc, dilated last stage): the weights load, fc is ignored; at stride
    // 32 the pooled features are torchvision's.
    const net = wslNet(0.0625);
    const plain = resnet(18, { numClasses: 0, widthMultiplier: 0.0625 });
    try {
      assert.deepEqual(loadBackboneWeights(net.backbone, TORCHVISION_PTH).sort(), ['fc.bias', 'fc.weight']);
      assert.deepEqual(loadBackboneWeights(plain, TORCHVISION_PTH).sort(), ['fc.bias', 'fc.weight']);
      plain.eval();
      const pooled = noGrad(() => tidy(() => (plain.features(tensor(input, { shape: expected.inputShape })) as Tensor).mean([2, 3]).toArray() as Float32Array));
      assertClose(pooled, expected.pooledFeatures, { atol: 1e-4, rtol: 1e-4 });
      assert.deepEqual(hexOf(net.backbone), hexOf(plain), 'same weights whatever the output stride');
    } finally {
      net.dispose();
      plain.dispose();
    }
  });
});
