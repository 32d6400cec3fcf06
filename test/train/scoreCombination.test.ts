import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineScores, fitScoreCombination, loadScoreCombination, saveScoreCombination } from '../../src/train/scoreCombination.js';
import { disposeMembers, loadCombination, predictCombination } from '../../src/train/predictCombination.js';
import { trainWsl } from '../../src/train/wslTrainer.js';
import { loadRun } from '../../src/train/loadRun.js';
import { openDataset } from '../../src/train/datasetSpec.js';
import { predictImages } from '../../src/train/predict.js';
import { withLeakCheck } from '../helpers/leak.js';
import { combineCommand } from '../../src/cli/commands/combine.js';
import { evaluateRun } from '../../src/cli/commands/evaluate.js';
import { predictCommand } from '../../src/cli/commands/predict.js';
import { tinyConfig, writeTinyScenes } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'wildcat-combine-'));
after(() => rmSync(root, { recursive: true, force: true }));

test("a run's recorded test scales (--test-scales, the oquab-max preset) are the default scales of eval and predict", async () => {
  const data = await writeTinyScenes(join(root, 'scenes-ms'));
  const run = join(root, 'plain');
  await trainWsl(tinyConfig(data, { epochs: 1 }), { out: run, progress: false, log: () => undefined });
  // The same network with test scales recorded, as `wildcat train --test-scales 0.5,1` writes them.
  const scaled = join(root, 'scaled');
  cpSync(run, scaled, { recursive: true });
  const config = JSON.parse(readFileSync(join(scaled, 'config.json'), 'utf8'));
  writeFileSync(join(scaled, 'config.json'), JSON.stringify({ ...config, testScales: [0.5, 1] }));
  const predict = async (r: string, out: string, ...more: string[]): Promise<string> => {
    const print = console.log;
    console.log = () => undefined;
    try {
      await predictCommand(['--run', r, '--data', data, '--split', 'test', '--out', join(root, out), '--threads', '1', ...more]);
    } finally {
      console.log = print;
    }
    return readFileSync(join(root, out, 'classification.csv'), 'utf8');
  };
  const recorded = await predict(scaled, 'p-recorded');
  assert.equal(recorded, await predict(run, 'p-explicit', '--scales', '0.5,1'));
  assert.notEqual(recorded, await predict(run, 'p-single'));
  assert.equal(await predict(scaled, 'p-override', '--scales', '1'), await predict(run, 'p-single2'));
  assert.deepEqual(await evaluateRun(scaled, data, 'test'), await evaluateRun(run, data, 'test', 'best', { scales: [0.5, 1] }));
});

test('combination weights on hand-made cases', () => {
  // One member, two images with scores +1 (positive) and −1 (negative): by symmetry b = 0 and the
  // weight solves λw = 2σ(−w); with λ = 0.5 / ln 3 that is w = ln 3 (σ(−ln 3) = 1/4).
  const one = fitScoreCombination([Float32Array.of(1, -1)], Int8Array.of(1, -1), 1, { l2: 0.5 / Math.log(3) });
  assert.ok(Math.abs(one.weights[0]![0]! - Math.log(3)) < 1e-9, `w = ${one.weights[0]![0]}`);
  assert.ok(Math.abs(one.bias[0]!) < 1e-9);
  // A second member that is constant carries no information: its weight is exactly 0 (the bias,
  // unpenalized, absorbs any constant), and the first member's weight is unchanged.
  const two = fitScoreCombination([Float32Array.of(1, -1), Float32Array.of(3, 3)], Int8Array.of(1, -1), 1, { l2: 0.5 / Math.log(3) });
  assert.ok(Math.abs(two.weights[0]![1]!) < 1e-9);
  assert.ok(Math.abs(two.weights[0]![0]! - Math.log(3)) < 1e-9);
  // Two identical members share the weight equally (the penalty prefers the even split).
  const same = fitScoreCombination([Float32Array.of(2, 0.5, -1, 0), Float32Array.of(2, 0.5, -1, 0)], Int8Array.of(1, 1, -1, -1), 1, { l2: 1 });
  assert.ok(Math.abs(same.weights[0]![0]! - same.weights[0]![1]!) < 1e-9 && same.weights[0]![0]! > 0);
  // Two classes are fitted independently; labels 0 are left out; a class with no positive gets weight 0.
  const multi = fitScoreCombination([Float32Array.of(1, 5, -1, -5, 9, 9)], Int8Array.of(1, -1, -1, -1, 0, -1), 2, { l2: 0.5 / Math.log(3) });
  assert.ok(Math.abs(multi.weights[0]![0]! - Math.log(3)) < 1e-9, 'class 0 as the one-member case (the label-0 image left out)');
  assert.deepEqual([multi.weights[1], multi.bias[1]], [[0], -10]);
  assert.deepEqual([...combineScores([Float32Array.of(1, 2), Float32Array.of(3, 4)], [[2, -1]], [0.5])], [-0.5, 0.5]);
  assert.throws(() => fitScoreCombination([Float32Array.of(1)], Int8Array.of(1, -1), 1), /member 0 has 1 scores, expected 2 × 1/);
});

test('a combination folder: saved, read back, bad files refused; eval-style prediction equals its member when the weights pick it', async () => {
  const data = await writeTinyScenes(join(root, 'scenes'));
  const quiet = { progress: false, log: () => undefined };
  await trainWsl(tinyConfig(data, { epochs: 1 }), { out: join(root, 'a'), ...quiet });
  await trainWsl(tinyConfig(data, { epochs: 1, imageSize: 48, seed: 2 }), { out: join(root, 'b'), ...quiet });
  const { config } = (() => { const r = loadRun(join(root, 'a')); r.net.dispose(); return r; })();
  const C = config.classNames.length;
  const combo = join(root, 'combo');
  saveScoreCombination(combo, {
    runs: [join(root, 'a'), join(root, 'b')], classNames: config.classNames, l2: 1,
    weights: Array.from({ length: C }, () => [1, 0]), bias: new Array(C).fill(0.25), fittedOn: { data, split: 'val', images: 8 },
  });
  assert.deepEqual(loadScoreCombination(combo).weights[0], [1, 0]);
  await withLeakCheck(async () => {
    const list = await openDataset(data, 'test', config.classNames);
    const c = loadCombination(combo);
    let combined;
    try {
      combined = await predictCombination(c, list);
    } finally {
      disposeMembers(c);
    }
    const { net } = loadRun(join(root, 'a'));
    try {
      const alone = await predictImages(net, list, { size: config.imageSize });
      assert.deepEqual([...combined.scores].map((v) => Math.round(v * 1e4)), [...alone.scores].map((v) => Math.round((v + 0.25) * 1e4)));
      assert.deepEqual(combined.points, alone.points);
    } finally {
      net.dispose();
    }
  });
  // The command line: combine on val, then eval and predict take the COMBO folder as a run.
  const combo2 = join(root, 'combo2');
  const print = console.log;
  console.log = () => undefined;
  try {
    await combineCommand(['--runs', `${join(root, 'a')},${join(root, 'b')}`, '--data', data, '--split', 'val', '--out', combo2, '--threads', '1']);
  } finally {
    console.log = print;
  }
  const fitted = loadScoreCombination(combo2);
  assert.equal(fitted.weights.length, C);
  assert.ok(fitted.weights.every((w) => w.length === 2 && w.every(Number.isFinite)));
  const metrics = await evaluateRun(combo2, data, 'test');
  assert.ok(metrics.mAP > 0 && Number.isFinite(metrics.locMAP));
  // A damaged image of the split is named before any member infers, as for a run.
  const damagedDir = join(root, 'damaged');
  cpSync(join(root, 'scenes'), damagedDir, { recursive: true });
  const victim = readFileSync(join(damagedDir, 'VOC2007', 'ImageSets', 'Main', 'test.txt'), 'utf8').split('\n')[0]!.trim();
  writeFileSync(join(damagedDir, 'VOC2007', 'JPEGImages', `${victim}.jpg`), 'not a jpeg');
  await assert.rejects(evaluateRun(combo2, `voc:${damagedDir}`, 'test'), (e: Error) => e.message.includes(victim) && /Nothing was inferred/.test(e.message));
  await assert.rejects(predictCommand(['--run', combo2, '--data', `voc:${damagedDir}`, '--split', 'test', '--out', join(root, 'pd')]), (e: Error) => e.message.includes(victim) && /Nothing was inferred/.test(e.message));
  await assert.rejects(combineCommand(['--runs', join(root, 'a'), '--data', data, '--split', 'val', '--out', combo2]), /--runs expects at least two run folders/);
  // A combination is scored at scale 1 per member: test scales and segmentation settings are refused, not ignored.
  await assert.rejects(evaluateRun(combo2, data, 'test', 'best', { scales: [0.5, 1] }), /combination folder: it gives classification and localization only.*segmentation options \(scales\)/);
  await assert.rejects(predictCommand(['--run', combo2, '--data', data, '--split', 'test', '--out', join(root, 'p'), '--flip']), /combination folder.*\(flip\) apply to a run/);
  assert.throws(() => loadRun(combo2), /a combination folder \(wildcat combine\), not a run: only `wildcat eval` and `wildcat predict` take it/);
  writeFileSync(join(combo, 'combination.json'), JSON.stringify({ kind: 'wildcat-ts-combination/1', runs: ['x'], classNames: ['a'], weights: [[1, 2]], bias: [0] }));
  assert.throws(() => loadScoreCombination(combo), /combination\.json: not a combination written by `wildcat combine`/);
  for (const damaged of ['null', '{"kind":"wildcat-ts-combination/1","runs":[1,{}],"classNames":["a"],"weights":[[1,1]],"bias":[0]}']) {
    writeFileSync(join(combo, 'combination.json'), damaged);
    assert.throws(() => loadScoreCombination(combo), { name: 'DataFileError', message: /combination\.json: not a combination written by `wildcat combine`/ });
  }
});
