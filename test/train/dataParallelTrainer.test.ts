// trainWsl with a process group (two ranks, one libtorch thread each): rank 0 alone writes the
// run, the ranks agree on every step's loss, validation is sharded and gathered (its mAP is the
// one a single process computes from the checkpoint), a stop asked of one rank stops all of them
// after the same step, and the resumed run ends exactly where the uninterrupted one does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setNumThreads } from '../../src/core/index.js';
import { RUN_FILES } from '../../src/train/wslTrainer.js';
import { RunLog } from '../../src/train/runLog.js';
import { loadRun } from '../../src/train/loadRun.js';
import { openDataset } from '../../src/train/datasetSpec.js';
import { predictImages } from '../../src/train/predict.js';
import { classificationMetrics } from '../../src/train/evaluatePredictions.js';
import { runRanks } from '../helpers/ranks.js';
import { differingTensors, writeTinyScenes } from './fixtures.js';

const WORKER = fileURLToPath(new URL('./dataParallelTrainerWorker.js', import.meta.url));
let root: string;
let data: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-ddp-trainer-'));
  // 40 validation scenes: two validation batches of 32, one per rank.
  data = await writeTinyScenes(join(root, 'scenes'), { train: 24, val: 40, test: 8 });
});
after(() => rmSync(root, { recursive: true, force: true }));

async function train(mode: string, out: string): Promise<{ interrupted: boolean; lastMAP: number; losses: number[] }[]> {
  const results = await runRanks(WORKER, { worldSize: 2, args: () => [mode, data, out] });
  return results.map((r) => {
    assert.equal(r.code, 0, `rank ${r.rank} (${mode}) failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  });
}

test('two ranks train one run; a stop asked of one rank stops both, and the resumed run ends as the straight one', async () => {
  const straight = join(root, 'straight');
  const [a0, a1] = await train('straight', straight);
  assert.equal(a0!.losses.length, 6, '24 scenes, 2 shards of 12, batches of 4: 3 steps per epoch');
  assert.deepEqual(a1!.losses, a0!.losses, 'both ranks see the loss of the global batch');
  assert.equal(a1!.lastMAP, a0!.lastMAP);
  assert.deepEqual(readdirSync(straight).sort(), Object.values(RUN_FILES).sort());
  const config = JSON.parse(readFileSync(join(straight, RUN_FILES.config), 'utf8'));
  assert.equal(config.worldSize, 2);
  assert.equal(config.batchSize, 4);
  const events = RunLog.read(join(straight, RUN_FILES.log));
  assert.deepEqual(events.map((e) => e.event), ['start', 'epoch', 'epoch', 'done'], 'one log, written by rank 0 alone');

  // Sharded validation = a single process scoring the checkpoint.
  setNumThreads(1);
  const { net, config: runConfig } = loadRun(straight, 'last');
  const val = await openDataset(data, 'val', runConfig.classNames);
  const pred = await predictImages(net, val, { size: runConfig.imageSize, batchSize: 32, points: false });
  net.dispose();
  assert.equal(classificationMetrics(pred, val.labels).mAP, events.at(-2)!.valMAP);

  const stopped = join(root, 'stopped');
  const [s0, s1] = await train('stop', stopped);
  assert.ok(s0!.interrupted && s1!.interrupted);
  // Rank 1's request travels with the next step's allreduce: both ranks stop after step 3.
  assert.equal(s0!.losses.length, 3);
  assert.equal(s1!.losses.length, 3);
  assert.deepEqual(s0!.losses, a0!.losses.slice(0, 3));
  const [r0, r1] = await train('resume', stopped);
  assert.ok(!r0!.interrupted && !r1!.interrupted);
  assert.deepEqual([...s0!.losses, ...r0!.losses], a0!.losses);
  assert.deepEqual(differingTensors(join(straight, RUN_FILES.last), join(stopped, RUN_FILES.last)), []);
  assert.deepEqual(differingTensors(join(straight, RUN_FILES.best), join(stopped, RUN_FILES.best)), []);
});
