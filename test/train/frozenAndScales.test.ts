import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainWsl, trainBatchSize, RUN_FILES, type TrainStepInfo } from '../../src/train/wslTrainer.js';
import { buildWildcatNet } from '../../src/wsl/buildWildcatNet.js';
import { saveTensors } from '../../src/io/index.js';
import { manualSeed, tidy } from '../../src/core/index.js';
import { withLeakCheck } from '../helpers/leak.js';
import { checkpointBytes, tinyConfig, writeTinyScenes } from './fixtures.js';

let root: string;
let data: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-frozen-'));
  data = await writeTinyScenes(join(root, 'scenes'));
});
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = { progress: false, log: () => undefined };

test('--freeze-backbone: backbone parameters and BatchNorm statistics stay bit-identical, the head learns', async () => {
  await withLeakCheck(async () => {
    // Backbone weights from a file, so "before" is known exactly.
    const config = tinyConfig(data, { freezeBackbone: true, epochs: 2 });
    manualSeed(11);
    const init = buildWildcatNet({ ...config.model, numClasses: 4 });
    const weights = join(root, 'backbone.safetensors');
    tidy(() => saveTensors(weights, init.backbone.stateDict()));
    init.dispose();
    const out = join(root, 'frozen');
    await trainWsl({ ...config, backboneWeights: weights }, { out, ...quiet });
    const before = checkpointBytes(weights);
    const afterRun = checkpointBytes(join(out, RUN_FILES.last));
    let backboneTensors = 0;
    for (const [k, v] of before) {
      const a = afterRun.get(`model.backbone.${k}`);
      assert.ok(a, `backbone.${k} in the checkpoint`);
      assert.ok(a.bytes.equals(v.bytes), `backbone.${k} unchanged`);
      backboneTensors++;
    }
    assert.ok(backboneTensors > 20 && [...before.keys()].some((k) => k.endsWith('running_mean')), 'BatchNorm buffers compared too');
    // The head learned: it differs from the run's own initial head (same seed, same build order).
    manualSeed(config.seed);
    const again = buildWildcatNet({ ...config.model, numClasses: 4 });
    const initialHead = tidy(() => Buffer.from((again.classifier.stateDict().get('weight')!.toArray() as Float32Array).buffer));
    again.dispose();
    assert.ok(!afterRun.get('model.classifier.weight')!.bytes.equals(initialHead), 'the transfer layer changed');
    // A fine-tuned run from the same weights does change the backbone.
    const tuned = join(root, 'tuned');
    await trainWsl({ ...config, freezeBackbone: false, epochs: 1, backboneWeights: weights }, { out: tuned, ...quiet });
    const t = checkpointBytes(join(tuned, RUN_FILES.last));
    assert.ok([...before].some(([k, v]) => !t.get(`model.backbone.${k}`)!.bytes.equals(v.bytes)), 'fine-tuning changes the backbone');
  });
});

test('multi-scale training: each batch side is round(imageSize · s) with s in the range, seeded per (epoch, batch)', async () => {
  const c = { imageSize: 200, trainScales: [0.7, 1.4] as [number, number], seed: 5 };
  const sizes: number[] = [];
  for (let e = 0; e < 20; e++) for (let b = 0; b < 20; b++) sizes.push(trainBatchSize(c, e, b));
  assert.ok(sizes.every((s) => s >= 140 && s <= 280), `sizes in [140, 280]: ${Math.min(...sizes)}..${Math.max(...sizes)}`);
  assert.ok(Math.min(...sizes) < 150 && Math.max(...sizes) > 270, 'the whole range is used');
  assert.ok(new Set(sizes).size > 50, 'a new scale per batch');
  assert.equal(trainBatchSize(c, 3, 4), trainBatchSize({ ...c }, 3, 4), 'deterministic');
  assert.equal(trainBatchSize({ ...c, trainScales: null }, 3, 4), 200);
  // The trainer feeds those sizes to the network.
  const seen: number[] = [];
  const config = tinyConfig(data, { trainScales: [0.75, 1.25], epochs: 1 });
  await withLeakCheck(async () => {
    await trainWsl(config, { out: join(root, 'scales'), ...quiet, onStep: (s: TrainStepInfo) => seen.push(s.size) });
  });
  const expected = [0, 1, 2].map((b) => trainBatchSize(config, 0, b));
  assert.deepEqual(seen, expected);
  assert.ok(expected.every((s) => s >= 48 && s <= 80));
});
