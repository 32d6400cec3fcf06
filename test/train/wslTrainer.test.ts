import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getNumThreads, memory, setNumThreads, setThreadAdaptation } from '../../src/core/index.js';
import { trainWsl, RUN_FILES, NonFiniteLossError, type CheckpointMeta, type TrainWslOptions } from '../../src/train/wslTrainer.js';
import { loadCheckpoint, disposeCheckpoint } from '../../src/train/checkpoint.js';
import { loadRun } from '../../src/train/loadRun.js';
import { RunLog } from '../../src/train/runLog.js';
import { withLeakCheck } from '../helpers/leak.js';
import { busyMachineTimes } from '../helpers/busyMachine.js';
import { collectLog, differingTensors, tinyConfig, writeTinyScenes } from './fixtures.js';

let root: string;
let data: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wildcat-trainer-'));
  data = await writeTinyScenes(join(root, 'scenes'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const quiet = { progress: false, log: () => undefined };
/** Stops a run after `steps` optimizer steps of this trainWsl call, as a Ctrl-C at that moment would. */
function stopAfter(steps: number): Pick<TrainWslOptions, 'signal' | 'onStep'> {
  const stop = new AbortController();
  return { signal: stop.signal, onStep: (s) => { if (s.steps >= steps) stop.abort(); } };
}
/** Epoch events of a run's log: [epoch, loss, valMAP, best]. */
const epochEvents = (run: string): unknown[][] =>
  RunLog.read(join(run, RUN_FILES.log)).filter((e) => e.event === 'epoch').map((e) => [e.epoch, e.loss, e.valMAP, e.best]);
const summary = (run: string): Record<string, unknown> => {
  const s = JSON.parse(readFileSync(join(run, RUN_FILES.summary), 'utf8')) as Record<string, unknown>;
  return { epochs: s.epochs, bestMAP: s.bestMAP, bestEpoch: s.bestEpoch, lastMAP: s.lastMAP, interrupted: s.interrupted };
};

// The reference: 2 epochs straight (3 steps per epoch: 24 scenes, batch 8).
let straight: string;

test('a run writes config, log, best/last checkpoints and summary; same config and seed give identical weights and losses', async () => {
  await withLeakCheck(async () => {
    straight = join(root, 'straight');
    const again = join(root, 'again');
    const r1 = await trainWsl(tinyConfig(data), { out: straight, ...quiet });
    const r2 = await trainWsl(tinyConfig(data), { out: again, ...quiet });
    assert.equal(r1.interrupted, false);
    assert.equal(r1.epochs, 2);
    assert.equal(r2.bestEpoch, r1.bestEpoch);
    assert.ok(r1.bestEpoch >= 1 && r1.bestEpoch <= 2, `bestEpoch ${r1.bestEpoch}`);
    for (const f of Object.values(RUN_FILES)) assert.ok(existsSync(join(straight, f)), `${f} written`);
    assert.deepEqual(readdirSync(straight).filter((f) => f.endsWith('.tmp')), [], 'no temporary files left');
    const config = JSON.parse(readFileSync(join(straight, RUN_FILES.config), 'utf8'));
    assert.deepEqual(config.classNames, ['alpha', 'beta', 'mu', 'zeta']);
    assert.equal(config.model.numClasses, 4);

    assert.deepEqual(differingTensors(join(straight, RUN_FILES.last), join(again, RUN_FILES.last)), []);
    assert.deepEqual(differingTensors(join(straight, RUN_FILES.best), join(again, RUN_FILES.best)), []);
    const e1 = epochEvents(straight);
    assert.equal(e1.length, 2);
    for (const [, loss] of e1) assert.ok(Number.isFinite(loss as number) && (loss as number) > 0);
    assert.deepEqual(epochEvents(again), e1);
    assert.deepEqual(summary(again), summary(straight));
    // A different seed gives different weights (the comparison above is not vacuous).
    const other = join(root, 'seed2');
    await trainWsl(tinyConfig(data, { seed: 2, epochs: 1 }), { out: other, ...quiet });
    assert.notDeepEqual(differingTensors(join(straight, RUN_FILES.best), join(other, RUN_FILES.best)), []);
  });
});

/** Trains with interruptions after `stops` steps (one trainWsl call per entry), then resumes to the end. */
async function interruptedRun(name: string, [firstStop, ...moreStops]: [number, ...number[]]): Promise<string> {
  const out = join(root, name);
  const signalListeners = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
  const stop = stopAfter(firstStop);
  const first = await trainWsl(tinyConfig(data), {
    out, ...quiet, ...stop,
    onStep: (s) => {
      // The library leaves signals to its caller: no handler of its own while it trains.
      assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], signalListeners);
      stop.onStep?.(s);
    },
  });
  assert.equal(first.interrupted, true);
  for (const s of moreStops) {
    const r = await trainWsl(tinyConfig(data), { out, ...quiet, resume: true, ...stopAfter(s) });
    assert.equal(r.interrupted, true);
  }
  const { log, lines } = collectLog();
  const last = await trainWsl(tinyConfig(data), { out, progress: false, log, resume: true });
  assert.equal(last.interrupted, false);
  assert.match(lines.join('\n'), /resuming .* at epoch \d, batch \d/);
  return out;
}

test('resume after a stop mid-epoch gives the weights, losses and metrics of the straight run', async () => {
  await withLeakCheck(async () => {
    const out = await interruptedRun('mid', [2]);
    const meta = RunLog.read(join(out, RUN_FILES.log)).find((e) => e.event === 'interrupted');
    assert.deepEqual([meta?.epoch, meta?.batch], [0, 2]);
    assert.deepEqual(differingTensors(join(straight, RUN_FILES.last), join(out, RUN_FILES.last)), []);
    assert.deepEqual(differingTensors(join(straight, RUN_FILES.best), join(out, RUN_FILES.best)), []);
    assert.deepEqual(epochEvents(out), epochEvents(straight));
    assert.deepEqual(summary(out), summary(straight));
  });
});

test('resume after a stop at an epoch boundary: that epoch is still validated and checkpointed', async () => {
  await withLeakCheck(async () => {
    const out = await interruptedRun('boundary', [3]);
    // Several stops in a row, one of them in the second epoch.
    const out2 = await interruptedRun('boundary2', [1, 2, 2]);
    for (const o of [out, out2]) {
      assert.deepEqual(differingTensors(join(straight, RUN_FILES.last), join(o, RUN_FILES.last)), []);
      assert.deepEqual(differingTensors(join(straight, RUN_FILES.best), join(o, RUN_FILES.best)), []);
      assert.deepEqual(epochEvents(o), epochEvents(straight));
      assert.deepEqual(summary(o), summary(straight));
    }
  });
});

test('a checkpoint written at a stop records where to continue', async () => {
  await withLeakCheck(async () => {
    const out = join(root, 'meta');
    await trainWsl(tinyConfig(data), { out, ...quiet, ...stopAfter(1) });
    const c = loadCheckpoint<CheckpointMeta>(join(out, RUN_FILES.last));
    try {
      assert.deepEqual([c.meta.epoch, c.meta.batch], [0, 1]);
      assert.ok(c.optimizer, 'optimizer state saved');
      assert.ok(Object.keys(c.optimizer.tensors).some((k) => k.endsWith('momentum_buffer')));
      assert.equal(c.meta.config.model.numClasses, 4);
    } finally {
      disposeCheckpoint(c);
    }
    assert.equal(existsSync(join(out, RUN_FILES.best)), false, 'no best checkpoint before the first validation');
    // A run with only a mid-epoch checkpoint still loads (its last weights).
    const { net } = loadRun(out);
    net.dispose();
  });
});

test('starting over a run without resume, or resuming nothing, is refused with a clear error', async () => {
  await assert.rejects(trainWsl(tinyConfig(data), { out: straight, ...quiet }), (e: Error) => {
    assert.match(e.message, /already holds a run/);
    assert.match(e.message, /--resume/);
    assert.ok(e.message.includes(straight));
    return true;
  });
  const empty = join(root, 'empty');
  await assert.rejects(trainWsl(tinyConfig(data), { out: empty, ...quiet, resume: true }), (e: Error) => {
    assert.match(e.message, /nothing to resume/);
    assert.ok(e.message.includes(empty));
    return true;
  });
});

test('dataset and config problems are reported before training', async () => {
  await assert.rejects(trainWsl(tinyConfig('voc:/nonexistent/scenes'), { out: join(root, 'x1'), ...quiet }), /\/nonexistent\/scenes/);
  await assert.rejects(trainWsl(tinyConfig('scenes'), { out: join(root, 'x2'), ...quiet }), /expected voc:DIR/);
  await assert.rejects(trainWsl(tinyConfig(data, { loss: 'softmax' }), { out: join(root, 'x3'), ...quiet }), /multi-label/);
  const c = tinyConfig(data);
  await assert.rejects(trainWsl({ ...c, model: { ...c.model, numClasses: 7 } }, { out: join(root, 'x4'), ...quiet }), /7 classes .* has 4/);
});

test('a non-finite loss stops the run with NonFiniteLossError; the last good checkpoint is intact', async () => {
  const before = memory().tensors;
  // An absurd learning rate blows the weights up within a few steps.
  const absurd = tinyConfig(data, { lr: 1e30, epochs: 1, warmupEpochs: 0 });
  let badStep = 0;
  await assert.rejects(trainWsl(absurd, { out: join(root, 'nan-a'), ...quiet }), (e: Error) => {
    assert.ok(e instanceof NonFiniteLossError, `got ${e.constructor.name}: ${e.message}`);
    const m = /the loss became (NaN|-?Infinity) at epoch 1, batch (\d+)/.exec(e.message);
    assert.ok(m, e.message);
    badStep = Number(m[2]);
    assert.match(e.message, /Lower --lr \(now 1e\+30\)/);
    assert.match(e.message, /not updated/);
    return true;
  });
  assert.ok(badStep >= 2, `the first step has a finite loss (got batch ${badStep})`);
  const events = RunLog.read(join(root, 'nan-a', RUN_FILES.log));
  assert.equal(events.at(-1)?.event, 'nonfinite_loss');

  // The same run stopped just before the bad step, then resumed: the error names the checkpoint,
  // which is left byte for byte as it was and still loads.
  const out = join(root, 'nan-b');
  await trainWsl(absurd, { out, ...quiet, ...stopAfter(badStep - 1) });
  const lastPath = join(out, RUN_FILES.last);
  const bytes = readFileSync(lastPath);
  await assert.rejects(trainWsl(absurd, { out, ...quiet, resume: true }), (e: Error) => {
    assert.ok(e instanceof NonFiniteLossError);
    assert.match(e.message, new RegExp(`batch ${badStep}\\b`));
    assert.ok(e.message.includes(lastPath), e.message);
    return true;
  });
  assert.ok(readFileSync(lastPath).equals(bytes), 'the last checkpoint is unchanged');
  const c = loadCheckpoint<CheckpointMeta>(lastPath);
  try {
    assert.deepEqual([c.meta.epoch, c.meta.batch], [0, badStep - 1]);
    for (const [k, t] of c.model) {
      if (t.dtype === 'float32') assert.ok((t.toArray() as Float32Array).every(Number.isFinite), `${k} finite`);
    }
  } finally {
    disposeCheckpoint(c);
  }
  assert.equal(memory().tensors, before, 'the failed runs released their tensors');
});

test('a torn config.json is reported with its path on resume', async () => {
  const out = join(root, 'torn');
  await trainWsl(tinyConfig(data), { out, ...quiet, ...stopAfter(1) });
  writeFileSync(join(out, RUN_FILES.config), '{"data": "voc:');
  await assert.rejects(trainWsl(tinyConfig(data), { out, ...quiet, resume: true }), (e: Error) => e.message.includes(join(out, RUN_FILES.config)));
});

test('multi-class CSV data trains with the softmax loss (and the AP ranking loss on multi-label data)', async () => {
  await withLeakCheck(async () => {
    const { openVocDataset } = await import('../../src/data/index.js');
    for (const split of ['train', 'val']) {
      const voc = await openVocDataset(join(root, 'scenes'), { split });
      const rows = voc.ids.map((id, i) => `VOC2007/JPEGImages/${id}.jpg;${voc.classNames[voc.labels.subarray(i * 4, i * 4 + 4).indexOf(1)]}`);
      writeFileSync(join(root, 'scenes', `${split}.csv`), rows.join('\n') + '\n');
    }
    const softmax = await trainWsl(tinyConfig(`csv:${join(root, 'scenes', '{split}.csv')}`, { loss: 'softmax', epochs: 1 }), { out: join(root, 'softmax'), ...quiet });
    assert.equal(softmax.interrupted, false);
    assert.ok(softmax.bestMAP > 0 && softmax.bestMAP <= 1);
    const ap = await trainWsl(tinyConfig(data, { loss: 'ap', epochs: 1 }), { out: join(root, 'ap'), ...quiet });
    assert.ok(ap.bestMAP > 0 && ap.bestMAP <= 1);
    const events = epochEvents(join(root, 'ap'));
    assert.ok(Number.isFinite(events[0]![1] as number));
  });
});

test('with thread adaptation on, the trainer re-decides the thread count between steps and logs each change', async () => {
  const before = getNumThreads();
  const changes: number[][] = [];
  try {
    // Another process keeps one of two cores busy.
    setThreadAdaptation(true, { windowMs: 0, readTimes: busyMachineTimes(1), onChange: (c) => changes.push([c.from, c.to]) });
    const out = join(root, 'adapting');
    await trainWsl(tinyConfig(data, { threads: 2, epochs: 1 }), { out, ...quiet });
    assert.deepEqual(changes, [[2, 1]]);
    assert.equal(getNumThreads(), 1);
    const logged = RunLog.read(join(out, RUN_FILES.log)).filter((e) => e.event === 'threads');
    // The first step's window asks, the second's confirms.
    assert.deepEqual(logged.map((e) => [e.epoch, e.batch, e.from, e.to, e.cores]), [[0, 1, 2, 1, 2]]);
    assert.ok(Math.abs((logged[0]!.othersCores as number) - 1) < 1e-9);
  } finally {
    setThreadAdaptation(false);
    setNumThreads(before);
  }
});
