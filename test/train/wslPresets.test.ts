import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { defaultWslConfig } from '../../src/train/wslConfig.js';
import { presetsMarkdown, resolveWslPreset, WSL_PRESET_NAMES } from '../../src/train/wslPresets.js';
import { configFromFlags, describePreset, MODEL_OPTIONS } from '../../src/cli/commands/train.js';
import { parse, UsageError } from '../../src/cli/args.js';

const flags = (...argv: string[]) => configFromFlags(parse(argv, { data: { type: 'string' }, ...MODEL_OPTIONS }, 'usage'));

test('each preset resolves to its documented values', () => {
  assert.deepEqual([...WSL_PRESET_NAMES], ['voc07-wildcat', 'voc12-seg-weldon', 'coco-wildcat', 'mit67-wildcat', 'oquab-max', 'pinheiro-lse', 'fashionvoc']);
  const v = resolveWslPreset('voc07-wildcat');
  assert.deepEqual(v.model.backbone, { depth: 101, widthMultiplier: 1, outputStride: 32 });
  assert.equal(v.imageSize, 448);
  assert.equal(v.model.maps, 8);
  assert.deepEqual(v.model.pooling, { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: true });
  assert.deepEqual([v.loss, v.epochs, v.batchSize, v.lr, v.backboneLrScale, v.momentum, v.weightDecay, v.warmupEpochs, v.lrSchedule], ['logistic', 20, 16, 0.01, 0.1, 0.9, 1e-4, 0, 'constant']);
  assert.deepEqual([v.trainSplit, v.valSplit, v.preset, v.freezeBackbone], ['trainval', 'test', 'voc07-wildcat', false]);

  const s = resolveWslPreset('voc12-seg-weldon');
  assert.deepEqual([s.imageSize, s.model.maps], [448, 1]);
  assert.deepEqual(s.model.pooling, { kind: 'wildcat', kmax: 50, kmin: 50, alpha: 1, halve: true });

  const c = resolveWslPreset('coco-wildcat');
  assert.deepEqual([c.imageSize, c.model.maps, c.trainSplit, c.valSplit], [448, 4, 'train2014', 'val2014']);
  assert.deepEqual(c.model.pooling, { kind: 'wildcat', kmax: 0.2, kmin: 0.2, alpha: 0.7, halve: true });

  const m = resolveWslPreset('mit67-wildcat');
  assert.deepEqual([m.loss, m.model.maps, m.lr], ['softmax', 8, 0.001]);
  assert.deepEqual(m.model.pooling, { kind: 'wildcat', kmax: 0.4, kmin: 0.4, alpha: 0.7, halve: true });

  const o = resolveWslPreset('oquab-max');
  assert.deepEqual(o.model.pooling, { kind: 'max' });
  assert.deepEqual([o.freezeBackbone, o.trainScales, o.testScales, o.lr, o.momentum, o.batchSize, o.imageSize], [true, [0.7, 1.4], [0.5, 0.7, 1, 1.4, 2, 2.8], 0.001, 0.9, 16, 500]);

  const p = resolveWslPreset('pinheiro-lse');
  assert.deepEqual(p.model.pooling, { kind: 'lse', r: 5 });
  assert.deepEqual([p.loss, p.freezeBackbone, p.weightDecay, p.imageSize], ['softmax', true, 5e-5, 400]);

  // fashionvoc is the defaults themselves (read from defaultWslConfig, not a copy).
  assert.deepEqual(resolveWslPreset('fashionvoc'), { ...defaultWslConfig(), preset: 'fashionvoc' });
  assert.throws(() => resolveWslPreset('voc2007'), /unknown preset 'voc2007'; expected one of voc07-wildcat, .*fashionvoc/);
});

test('flags override a preset, field by field; the preset is recorded and described', () => {
  const c = flags('--preset', 'voc07-wildcat', '--maps', '2', '--kmax', '0.3', '--epochs', '3', '--image-size', '224', '--backbone', 'resnet50');
  assert.equal(c.preset, 'voc07-wildcat');
  assert.deepEqual([c.model.maps, c.epochs, c.imageSize, c.model.backbone.depth, c.model.backbone.widthMultiplier], [2, 3, 224, 50, 1]);
  // --kmax alone keeps the preset's pooling kind, k⁻, α and halving.
  assert.deepEqual(c.model.pooling, { kind: 'wildcat', kmax: 0.3, kmin: 0.2, alpha: 0.7, halve: true });
  assert.equal(c.lr, 0.01, 'unchanged settings keep the preset value');
  assert.deepEqual(flags('--preset', 'voc07-wildcat', '--pooling', 'max').model.pooling, { kind: 'max' });
  assert.deepEqual(flags('--preset', 'pinheiro-lse', '--r', '8').model.pooling, { kind: 'lse', r: 8 });
  const o = flags('--preset', 'oquab-max', '--no-freeze-backbone', '--train-scales', '1,1', '--lr-schedule', 'cosine');
  assert.deepEqual([o.freezeBackbone, o.trainScales, o.lrSchedule], [false, [1, 1], 'cosine']);
  assert.equal(flags('--freeze-backbone').freezeBackbone, true);
  assert.deepEqual(flags('--train-scales', '0.7,1.4').trainScales, [0.7, 1.4]);
  assert.equal(flags().preset, null);
  assert.deepEqual(flags(), { ...defaultWslConfig(), data: '' });
  assert.throws(() => flags('--preset', 'nope'), (e: Error) => e instanceof UsageError && /--preset: unknown preset 'nope'/.test(e.message));
  assert.throws(() => flags('--train-scales', '1.4,0.7'), /--train-scales expects A,B with 0 < A <= B/);
  assert.throws(() => flags('--train-scales', '0.7'), /--train-scales expects A,B/);
  assert.throws(() => flags('--test-scales', '1,,2'), /--test-scales expects positive scales/);
  const text = describePreset(c);
  assert.match(text, /^preset voc07-wildcat: WILDCAT on PASCAL VOC 2007/);
  assert.match(text, /resnet50 width 1 stride 32; image 224 px; M = 2; pooling wildcat k\+=0\.3 k-=0\.2 a=0\.7 \(halved\)/);
  assert.match(text, /3 epochs, batch 16, lr 0\.01 \(backbone ×0\.1\)/);
});

test('the README presets table is the one the presets produce', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const table = presetsMarkdown();
  assert.ok(readme.includes(table), 'README.md lacks the current presets table: paste the output of presetsMarkdown() (src/train/wslPresets.ts)');
  assert.match(table, /\| image size \| 448 \| 448 \| 448 \| 448 \| 500 \| 400 \| 192 \|/);
});
