// The whole command-line pipeline on tiny data: data scenes → train → eval → tune-segmentation → predict.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVocSegmentation } from '../../src/data/index.js';
import { wildcat } from './run.js';

let dir: string;
let env: Record<string, string>;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'wildcat-e2e-'));
  env = { WILDCAT_CACHE: join(dir, 'cache') };
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => wildcat(args, { cwd: dir, env, timeoutMs: 60_000 });
const ok = (r: { code: number | null; stderr: string }, what: string) => assert.equal(r.code, 0, `${what} failed: ${r.stderr}`);

test('data scenes → train → eval → tune-segmentation → predict', async () => {
  const data = await run(['data', 'scenes', '--out', 'scenes', '--train', '24', '--val', '8', '--test', '8', '--size', '64']);
  ok(data, 'data scenes');
  assert.match(data.stdout, /VOC2007: 24 train, 8 val, 8 test scenes/);
  const classes = ['bag', 'boot', 'coat', 'dress', 'pullover', 'sandal', 'shirt', 'sneaker', 'trouser', 'tshirt'];
  assert.ok(data.stdout.includes(`classes ${classes.join(' ')}`));
  assert.equal(readdirSync(join(dir, 'scenes', 'VOC2007', 'JPEGImages')).length, 40);
  const again = await run(['data', 'scenes', '--out', 'scenes', '--train', '2', '--val', '1', '--test', '1', '--size', '64']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);

  const trainArgs = ['train', '--data', 'voc:scenes', '--out', 'run', '--backbone-weights', 'none', '--epochs', '1', '--image-size', '64', '--width', '0.125', '--batch-size', '8', '--threads', '1'];
  const train = await run(trainArgs);
  ok(train, 'train');
  assert.match(train.stdout, /^best val mAP \d+\.\d\d \(epoch 1\), last \d+\.\d\d; .* run in run\n$/);
  assert.match(train.stderr, /epoch 1\/1 +loss \d\.\d{4} +val mAP/);
  for (const f of ['config.json', 'log.jsonl', 'best.safetensors', 'last.ckpt.safetensors', 'summary.json']) assert.ok(existsSync(join(dir, 'run', f)), f);
  const config = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8'));
  assert.deepEqual([config.imageSize, config.model.backbone.widthMultiplier, config.epochs, config.backboneWeights], [64, 0.125, 1, null]);
  assert.deepEqual(config.classNames, classes);
  assert.ok(!existsSync(join(dir, 'cache', 'pretrained')), '--backbone-weights none pre-trains nothing');

  const twice = await run(trainArgs);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /run already holds a run; pass --resume/);

  const evaluate = await run(['eval', '--run', 'run', '--data', 'voc:scenes', '--split', 'test', '--threads', '1']);
  ok(evaluate, 'eval');
  assert.match(evaluate.stdout, /^class +AP \(cls\) +AP \(loc\)/);
  assert.match(evaluate.stdout, /\nmean +\d+\.\d\d +\d+\.\d\d\n/);
  assert.match(evaluate.stdout, /metrics → run\/metrics-test\.json/);
  assert.match(evaluate.stdout, /\nlabel +IoU +IoU \+CRF +IoU \+SLIC\n[- ]+\nbackground +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d\n/);
  assert.match(evaluate.stdout, /\nmIoU +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d\n\(segmentation: 8 images with masks; background: default δ 0\.5 \(no tuning for scales 1, map-norm peak/);
  const metrics = JSON.parse(readFileSync(join(dir, 'run', 'metrics-test.json'), 'utf8'));
  assert.deepEqual(metrics.classNames, classes);
  assert.equal(metrics.images, 8);
  for (const k of ['mAP', 'mAP07', 'locMAP']) assert.ok(metrics[k] >= 0 && metrics[k] <= 1, `${k} ${metrics[k]}`);
  assert.equal(metrics.perClassAP.length, 10);
  const evalOut = await run(['eval', '--run', 'run', '--data', 'voc:scenes', '--split', 'val', '--checkpoint', 'last', '--out', 'm/val.json', '--threads', '1']);
  ok(evalOut, 'eval --out');
  assert.equal(JSON.parse(readFileSync(join(dir, 'm', 'val.json'), 'utf8')).images, 8);

  const tune = await run(['tune-segmentation', '--run', 'run', '--data', 'voc:scenes', '--split', 'val', '--threads', '1']);
  ok(tune, 'tune-segmentation');
  assert.match(tune.stdout, /\nmIoU +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d\n\(8 val images with masks; scales 1, map-norm peak, prior weight, best checkpoint; unsmoothed labels\)\nthresholds → run\/segmentation\.json\n$/);
  const tuned = JSON.parse(readFileSync(join(dir, 'run', 'segmentation.json'), 'utf8'));
  assert.equal(tuned.tunings.length, 1);
  assert.ok(tuned.tunings[0].perClass.mIoU >= tuned.tunings[0].global.mIoU && tuned.tunings[0].global.mIoU >= tuned.tunings[0].untuned.mIoU);

  const predict = await run(['predict', '--run', 'run', '--data', 'voc:scenes', '--split', 'test', '--out', 'pred', '--threads', '1']);
  ok(predict, 'predict');
  assert.match(predict.stdout, /^8 images → pred\/classification\.csv, pred\/localization\.csv, pred\/segmentation\/<id>\.png \(smoothing crf; background: per-class δ_k tuned on val \(8 images\)\)\n$/);
  const cls = readFileSync(join(dir, 'pred', 'classification.csv'), 'utf8').trimEnd().split('\n');
  const loc = readFileSync(join(dir, 'pred', 'localization.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(cls[0], `image_id,${classes.join(',')}`);
  assert.equal(loc[0], 'image_id,class,x,y,score');
  assert.equal(cls.length, 1 + 8);
  assert.equal(loc.length, 1 + 8 * 10);
  const ids = readFileSync(join(dir, 'scenes', 'VOC2007', 'ImageSets', 'Main', 'test.txt'), 'utf8').trim().split('\n');
  const scores = new Map<string, number>();
  cls.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    assert.equal(cells[0], ids[i]);
    assert.equal(cells.length, 11);
    cells.slice(1).forEach((v, c) => {
      assert.ok(Number.isFinite(Number(v)), `score '${v}'`);
      scores.set(`${cells[0]},${classes[c]}`, Number(v));
    });
  });
  assert.equal(readFileSync(join(dir, 'pred', 'segmentation', 'classes.txt'), 'utf8'), classes.join('\n') + '\n');
  for (const id of ids) {
    const mask = await readVocSegmentation(join(dir, 'pred', 'segmentation', `${id}.png`));
    assert.deepEqual([mask.width, mask.height], [64, 64]);
    assert.ok(mask.data.every((v) => v <= 10), `${id}: labels 0..10`);
  }
  loc.slice(1).forEach((line, j) => {
    const [id, name, x, y, score] = line.split(',');
    assert.equal(id, ids[Math.floor(j / 10)]);
    assert.equal(name, classes[j % 10]);
    assert.ok(Number.isInteger(Number(x)) && Number(x) >= 0 && Number(x) < 64, `x ${x}`);
    assert.ok(Number.isInteger(Number(y)) && Number(y) >= 0 && Number(y) < 64, `y ${y}`);
    assert.equal(Number(score), scores.get(`${id},${name}`));
  });

  // Resuming a finished run has nothing left to do and changes nothing.
  const best = readFileSync(join(dir, 'run', 'best.safetensors'));
  const resumed = await run(['train', '--out', 'run', '--resume', '--threads', '1']);
  ok(resumed, 'train --resume on a finished run');
  assert.ok(readFileSync(join(dir, 'run', 'best.safetensors')).equals(best));
  const summary = JSON.parse(readFileSync(join(dir, 'run', 'summary.json'), 'utf8'));
  assert.equal(summary.interrupted, false);
  assert.ok(summary.lastMAP >= 0 && summary.lastMAP === summary.bestMAP, `lastMAP ${summary.lastMAP}, bestMAP ${summary.bestMAP}`);
  assert.deepEqual(readdirSync(join(dir, 'run')).filter((f) => f.endsWith('.tmp')), []);
});
