import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, tidy } from '../../src/core/index.js';
import { saveTensors } from '../../src/io/index.js';
import { buildBackbone } from '../../src/wsl/buildWildcatNet.js';
import { defaultMantraConfig, trainMantra } from '../../src/train/mantraTrainer.js';
import { loadRun } from '../../src/train/loadRun.js';
import { openDataset } from '../../src/train/datasetSpec.js';
import { predictImages } from '../../src/train/predict.js';
import { RUN_FILES } from '../../src/train/wslTrainer.js';
import { withLeakCheck } from '../helpers/leak.js';
import { SCENE_SIZE, writeTinyScenes } from './fixtures.js';

let root: string;
let data: string;
let weights: string;
const backbone = { depth: 18 as const, widthMultiplier: 0.125, outputStride: 16 as const };
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-mantra-'));
  data = await writeTinyScenes(join(root, 'scenes'));
  manualSeed(2);
  const b = buildBackbone(backbone);
  weights = join(root, 'backbone.safetensors');
  tidy(() => saveTensors(weights, b.stateDict()));
  b.dispose();
});
after(() => rmSync(root, { recursive: true, force: true }));

test('wildcat mantra: a run folder that evaluates like any run (multi-label and AP variants); clear errors', async () => {
  await withLeakCheck(async () => {
    for (const variant of ['multilabel', 'ap'] as const) {
      const out = join(root, variant);
      const config = { ...defaultMantraConfig(), data, backbone, backboneWeights: weights, imageSize: SCENE_SIZE, variant, epochs: 2, batchSize: 8, threads: 1 };
      const r = await trainMantra(config, { out, log: () => undefined });
      assert.ok(r.bestMAP > 0 && r.bestMAP <= 1, `val mAP ${r.bestMAP}`);
      const saved = JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8'));
      assert.deepEqual(saved.mantra, { variant, lambda: 1e-4, epochs: 2, batchSize: 8, average: false });
      assert.deepEqual(saved.model.pooling, { kind: 'wildcat', kmax: 1, kmin: 1, alpha: 1, halve: false });
      const { net, config: c } = loadRun(out);
      try {
        const val = await openDataset(data, 'val', c.classNames);
        const pred = await predictImages(net, val, { size: c.imageSize, points: false });
        assert.ok(pred.scores.every(Number.isFinite) && pred.scores.some((x) => x !== 0));
      } finally {
        net.dispose();
      }
    }
    const base = { ...defaultMantraConfig(), data, backbone, backboneWeights: weights, imageSize: SCENE_SIZE, epochs: 1, threads: 1 };
    await assert.rejects(trainMantra({ ...base, variant: 'multiclass' }, { out: join(root, 'mc'), log: () => undefined }), /MANTRA multiclass needs one label per image/);
    await assert.rejects(trainMantra({ ...base, backboneWeights: '' }, { out: join(root, 'nw'), log: () => undefined }), /frozen backbone: give its weights/);
    await assert.rejects(trainMantra(base, { out: join(root, 'multilabel'), log: () => undefined }), /already holds a run/);
  });
});
