import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setNumThreads } from '../../src/core/index.js';
import { buildRunReport, type RunReport } from '../../src/report/index.js';
import { openVocSplit } from '../../src/train/datasetSpec.js';
import { evaluateRun } from '../../src/cli/commands/evaluate.js';
import { withLeakCheck } from '../helpers/leak.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const count = (s: string, sub: string): number => s.split(sub).length - 1;
let root: string;
let scenes: string;
let run: string;

function cli(...args: string[]): string {
  return execFileSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

before(() => {
  setNumThreads(1);
  root = mkdtempSync(join(tmpdir(), 'wildcat-report-'));
  scenes = join(root, 'scenes');
  run = join(root, 'run');
  cli('data', 'scenes', '--out', scenes, '--train', '24', '--val', '8', '--test', '8', '--size', '64');
  // M = 4 (not the default 1) so that the per-modality thumbnails are drawn too.
  cli('train', '--data', `voc:${scenes}`, '--out', run, '--epochs', '1', '--image-size', '64', '--width', '0.125', '--maps', '4', '--backbone-weights', 'none', '--threads', '1');
});

after(() => rmSync(root, { recursive: true, force: true }));

test('end to end: a tiny run gives a self-contained page with the expected pictures, without leaks', async () => {
  let r: RunReport | undefined;
  await withLeakCheck(async () => {
    r = await buildRunReport({ run, data: `voc:${scenes}`, split: 'test' });
  });
  const { html, gallery } = r!;
  // 8 test images, default gallery of 12: all 8 shown, best half then worst half.
  assert.equal(gallery.length, 8);
  assert.deepEqual(gallery.map((g) => g.good), [true, true, true, true, false, false, false, false]);
  assert.equal(new Set(gallery.map((g) => g.id)).size, 8);
  assert.equal(count(html, '<article class="card'), 8);
  // Pictures: per image the ground truth, the ground-truth mask and the predicted segmentation,
  // one heatmap per class shown, M = 4 modality maps.
  const expected = gallery.reduce((s, g) => s + 3 + g.classes.length + 4, 0);
  assert.equal(gallery.reduce((s, g) => s + g.pictures, 0), expected);
  assert.equal(r!.pictures, expected);
  assert.equal(count(html, '<img '), expected);
  assert.ok([...html.matchAll(/<img src="([^"]*)"/g)].every((m) => /^data:image\/(jpeg|png);base64,[A-Za-z0-9+/=]+$/.test(m[1]!)));
  assert.equal(count(html, '<script'), 0);
  assert.ok(!/(src|href)="https?:/.test(html), 'no external asset');
  // Present classes come first on each card.
  const ds = await openVocSplit(`voc:${scenes}`, 'test');
  const C = ds.classNames.length;
  for (const g of gallery) {
    const present = ds.classNames.filter((_, c) => ds.labels[g.index * C + c] === 1);
    const k = Math.min(present.length, 4);
    assert.deepEqual(new Set(g.classes.slice(0, k)), new Set(g.classes.slice(0, k).filter((c) => present.includes(c))), `${g.id}: ${g.classes} vs present ${present}`);
  }
  // Training curves (1 epoch: one point per chart), config and metrics.
  assert.equal(count(html, '<svg xmlns="http://www.w3.org/2000/svg" class="chart"'), 2);
  for (const key of ['pooling', 'M (maps per class)', 'k⁺ (highest regions)', 'k⁻ (lowest regions)', 'α (weight of the lowest)', 'backbone', 'epochs']) assert.ok(html.includes(`<th>${key}</th>`), key);
  for (const name of ds.classNames) assert.ok(html.includes(`<tr><th>${name}</th>`), name);
  assert.equal(count(html, '>ground-truth mask<'), 8);
  assert.equal(count(html, '>segmentation<'), 8);
  // The metrics are those of `wildcat eval`, segmentation included.
  const m = await evaluateRun(run, `voc:${scenes}`, 'test');
  assert.ok(Math.abs(m.mAP - r!.metrics.mAP) < 1e-9 && Math.abs(m.locMAP - r!.metrics.locMAP) < 1e-9);
  assert.equal(m.segmentation!.bySmoothing.none!.meanIoU, r!.metrics.segmentation!.bySmoothing.none!.meanIoU);
  assert.ok(html.includes('segmentation mIoU (%)'));
});

test('wildcat report: the command writes the page; --images picks best and worst', () => {
  const out = join(root, 'r.html');
  const msg = cli('report', '--run', run, '--data', `voc:${scenes}`, '--split', 'test', '--out', out, '--images', '3', '--threads', '1');
  assert.match(msg, /report → .*r\.html \(2 best \+ 1 worst images, \d+ pictures/);
  const html = readFileSync(out, 'utf8');
  assert.equal(count(html, '<article class="card'), 3);
  assert.ok(count(html, '<img ') >= 3 * 6);
});

test('clear errors: not a run folder, a dataset without boxes (the network is still released)', async () => {
  await assert.rejects(buildRunReport({ run: join(root, 'nope'), data: `voc:${scenes}` }), /nope: not a run folder \(no config\.json\)/);
  assert.ok(!existsSync(join(root, 'nope')));
  await withLeakCheck(() => assert.rejects(buildRunReport({ run, data: 'csv:/x.csv' }), /localization needs boxes, which only voc: and coco: datasets have/));
});
