// Every command that runs a network over a split checks its images first: a damaged file is
// named before any inference, and nothing is written (report and tune-segmentation too, as
// eval and predict).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainWsl } from '../../src/train/wslTrainer.js';
import { openSplitForInference } from '../../src/train/datasetSpec.js';
import { tuneRunThresholds } from '../../src/train/runSegmentation.js';
import { SEGMENTATION_FILE } from '../../src/segment/index.js';
import { buildRunReport } from '../../src/report/runReport.js';
import { tinyConfig, writeTinyScenes } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'wildcat-split-check-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('report and tune-segmentation name a damaged image of the split before any inference, and write nothing', async () => {
  const data = await writeTinyScenes(join(root, 'scenes'));
  const run = join(root, 'run');
  await trainWsl(tinyConfig(data, { epochs: 1 }), { out: run, progress: false, log: () => undefined });
  const damaged = join(root, 'damaged');
  cpSync(join(root, 'scenes'), damaged, { recursive: true });
  const victims: Record<string, string> = {};
  for (const split of ['test', 'val']) {
    const victim = readFileSync(join(damaged, 'VOC2007', 'ImageSets', 'Main', `${split}.txt`), 'utf8').split('\n')[0]!.trim();
    writeFileSync(join(damaged, 'VOC2007', 'JPEGImages', `${victim}.jpg`), 'not a jpeg');
    victims[split] = victim;
  }
  const named = (victim: string) => (e: Error) => e.message.includes(victim) && /Nothing was inferred/.test(e.message);
  const spec = `voc:${damaged}`;
  await assert.rejects(openSplitForInference(spec, 'test'), named(victims.test!));
  await assert.rejects(buildRunReport({ run, data: spec, split: 'test' }), named(victims.test!));
  const tuned = join(run, SEGMENTATION_FILE);
  const before = existsSync(tuned) ? readFileSync(tuned, 'utf8') : null;
  await assert.rejects(tuneRunThresholds(run, { data: spec, split: 'val' }), named(victims.val!));
  assert.equal(existsSync(tuned) ? readFileSync(tuned, 'utf8') : null, before, `${SEGMENTATION_FILE} untouched`);
  // The intact copy opens.
  assert.ok((await openSplitForInference(`voc:${join(root, 'scenes')}`, 'test')).ids.length > 0);
});
